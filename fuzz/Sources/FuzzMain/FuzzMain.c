// The fuzz executable's entry point. SwiftPM links an executable with `main` defined as
// `<module>_main`; libFuzzer's own `main` is then never linked, so this one hands control to
// libFuzzer's driver with the Swift target's LLVMFuzzerTestOneInput.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

int doorstep_fuzz_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
