// SQLite at the edge: the header plus what Swift cannot call directly.
#ifndef ATALAYA_CSQLITE_SHIM_H
#define ATALAYA_CSQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro casting -1 to a destructor pointer: SQLite copies the bytes before
// returning. Returns SQLITE_OK or an error code (SQLITE_RANGE, SQLITE_TOOBIG, SQLITE_NOMEM).
static inline int csqlite_bind_text_transient(sqlite3_stmt *stmt, int index, const char *text, int bytes) {
    return sqlite3_bind_text(stmt, index, text, bytes, SQLITE_TRANSIENT);
}

// Same for blobs.
static inline int csqlite_bind_blob_transient(sqlite3_stmt *stmt, int index, const void *data, int bytes) {
    return sqlite3_bind_blob(stmt, index, data, bytes, SQLITE_TRANSIENT);
}

// SQLITE_STATIC (a null destructor): SQLite reads the bytes in place, so they must stay unchanged
// until the statement is stepped and its bindings replaced or cleared.
static inline int csqlite_bind_text_static(sqlite3_stmt *stmt, int index, const char *text, int bytes) {
    return sqlite3_bind_text(stmt, index, text, bytes, SQLITE_STATIC);
}

static inline int csqlite_bind_blob_static(sqlite3_stmt *stmt, int index, const void *data, int bytes) {
    return sqlite3_bind_blob(stmt, index, data, bytes, SQLITE_STATIC);
}

// Primary result code of an extended code (e.g. SQLITE_BUSY_SNAPSHOT → SQLITE_BUSY).
static inline int csqlite_primary_code(int code) { return code & 0xff; }

// Turns off SQLite's global memory statistics (a mutex and a counter update on every malloc and
// free). Only effective before the library is initialised; returns SQLITE_MISUSE afterwards.
static inline int csqlite_disable_memstatus(void) { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

#endif
