// Command mattn is the smallest program that opens SQLite through GORM with
// gorm.io/driver/sqlite (cgo). It exists to measure binary size.
package main

import (
	"fmt"
	"log"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
)

func main() {
	db, err := gorm.Open(sqlite.Open("file::memory:"), &gorm.Config{})
	if err != nil {
		log.Fatal(err)
	}
	var v string
	if err := db.Raw("SELECT sqlite_version()").Scan(&v).Error; err != nil {
		log.Fatal(err)
	}
	fmt.Println("SQLite", v)
}
