import Crypto
import Synchronization
#if canImport(Darwin)
import Darwin
#else
import Glibc
#endif

/// Random 96-bit AES-GCM nonces, drawn from the system's CSPRNG a few hundred at a time.
///
/// `AES.GCM.Nonce()` asks the kernel for its 12 bytes (two `getrandom` calls): a fifth of
/// sealing a record state. These nonces are bytes of the same generator, fetched in one read
/// per `batch` nonces; each is handed out once, the offset moving under the lock.
final class NonceSource: Sendable {
    static let batch = 256
    private let pool = Mutex<(bytes: [UInt8], next: Int)>(([], 0))

    func next() -> AES.GCM.Nonce {
        pool.withLock { pool in
            if pool.next + 12 > pool.bytes.count {
                pool.bytes = Self.randomBytes(Self.batch * 12)
                pool.next = 0
            }
            defer { pool.next += 12 }
            // Twelve bytes are a valid GCM nonce; it copies them out of the pool.
            return try! AES.GCM.Nonce(data: pool.bytes[pool.next..<(pool.next + 12)])
        }
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            #if canImport(Darwin)
            arc4random_buf(buffer.baseAddress!, count)
            #else
            // The kernel's CSPRNG, as `getrandom` serves it (Glibc's module does not export
            // `getrandom`); reading the device never blocks once the pool is seeded at boot.
            let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { fatalError("/dev/urandom does not open: errno \(errno)") }
            defer { close(fd) }
            var filled = 0
            while filled < count {
                let n = read(fd, buffer.baseAddress! + filled, count - filled)
                if n > 0 { filled += n } else if n == 0 || errno != EINTR { fatalError("/dev/urandom read failed: errno \(errno)") }
            }
            #endif
            initialized = count
        }
    }
}
