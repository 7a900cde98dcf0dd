import Foundation
import ServerDirectory
import Testing

@Suite("Tokens, codes and their hashes")
struct SecretsTests {
    @Test func theHashIsSHA256() {
        #expect(TokenHash(of: "abc").hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(TokenHash(of: "").hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(TokenHash(of: "abc").description == "ba7816bf", "a log shows only the first 8 digits")
    }

    @Test func tokensAreFreshBase64URLOf256Bits() {
        var seen = Set<String>()
        for _ in 0..<2_000 {
            let token = Secrets.token()
            #expect(token.hasPrefix("dst_") && token.count == 4 + 43)
            let body = token.dropFirst(4).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "="
            #expect(Data(base64Encoded: body)?.count == 32, "\(token)")
            seen.insert(token)
        }
        #expect(seen.count == 2_000)
    }

    @Test func codesSurviveBeingReadAloudAndRetyped() {
        for _ in 0..<500 {
            let code = Secrets.enrolmentCode()
            #expect(code.count == 14 && code.split(separator: "-").count == 3)
            #expect(!code.contains { "ILOU".contains($0) }, "Crockford's alphabet has no I, L, O or U")
            let retyped = code.lowercased().replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "0", with: "o").replacingOccurrences(of: "1", with: "l")
            #expect(Secrets.normalizedCode(retyped) == code)
        }
        #expect(Secrets.normalizedCode("short") == "SH0RT", "a wrong length is only mapped, never padded into a valid code")
    }
}
