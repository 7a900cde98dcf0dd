import SyncProtocol

/// libFuzzer's entry point: every input goes through every decoder (`DecoderFuzzing`). A
/// violation stops the run, and libFuzzer saves the input as a crasher.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    if let violation = DecoderFuzzing.violation(bytes) {
        fatalError("decoder law broken on \(count) bytes: \(violation)")
    }
    return 0
}
