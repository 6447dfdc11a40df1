package db

import (
	"fmt"
	"time"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
)

// sqliteDialector opens SQLite in WAL mode with foreign keys on, a busy
// timeout, and write transactions that take the lock when they begin (so two
// writers wait for each other instead of failing on a lock upgrade).
// docs/sqlite-driver.md says why this driver.
func sqliteDialector(path string, busy time.Duration) gorm.Dialector {
	dsn := fmt.Sprintf("file:%s?_journal_mode=WAL&_foreign_keys=on&_busy_timeout=%d&_synchronous=NORMAL&_txlock=immediate",
		path, busy.Milliseconds())
	return sqlite.Open(dsn)
}
