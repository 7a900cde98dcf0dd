#if canImport(Security)
import Foundation
import Security

/// The platform keychain as a key store (iOS, macOS): generic-password items of one service,
/// readable after the device's first unlock and never migrated to another device or backup
/// (`kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly`), so a phone syncing in the background
/// can read them and a stolen backup cannot.
public struct KeychainKeyStore: KeyStore {
    public let service: String

    public init(service: String = "cn.gov.doorstep.device") { self.service = service }

    func query(_ name: String?) -> [String: Any] {
        var q: [String: Any] = [kSecClass as String: kSecClassGenericPassword, kSecAttrService as String: service]
        if let name { q[kSecAttrAccount as String] = name }
        return q
    }

    public func item(_ name: String) throws(KeyStoreError) -> [UInt8]? {
        var q = query(name)
        q[kSecReturnData as String] = true
        q[kSecMatchLimit as String] = kSecMatchLimitOne
        var result: CFTypeRef?
        let status = SecItemCopyMatching(q as CFDictionary, &result)
        if status == errSecItemNotFound { return nil }
        guard status == errSecSuccess, let data = result as? Data else { throw KeyStoreError("keychain read of \(name) failed: OSStatus \(status)") }
        return Array(data)
    }

    public func setItem(_ name: String, _ value: [UInt8]) throws(KeyStoreError) {
        let update: [String: Any] = [kSecValueData as String: Data(value),
                                     kSecAttrAccessible as String: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly]
        var status = SecItemUpdate(query(name) as CFDictionary, update as CFDictionary)
        if status == errSecItemNotFound {
            status = SecItemAdd(query(name).merging(update) { _, new in new } as CFDictionary, nil)
        }
        guard status == errSecSuccess else { throw KeyStoreError("keychain write of \(name) failed: OSStatus \(status)") }
    }

    public func removeItem(_ name: String) throws(KeyStoreError) {
        let status = SecItemDelete(query(name) as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else { throw KeyStoreError("keychain delete of \(name) failed: OSStatus \(status)") }
    }

    public func removeAll() throws(KeyStoreError) {
        let status = SecItemDelete(query(nil) as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else { throw KeyStoreError("keychain wipe failed: OSStatus \(status)") }
    }
}
#endif
