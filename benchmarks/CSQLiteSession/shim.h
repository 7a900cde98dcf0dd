// The system SQLite with its session extension declared: Debian builds libsqlite3 with
// SQLITE_ENABLE_SESSION and SQLITE_ENABLE_PREUPDATE_HOOK, but the header hides the session API
// unless they are defined. Used only by the benchmarks' patchset baseline.
#define SQLITE_ENABLE_SESSION 1
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include <sqlite3.h>
