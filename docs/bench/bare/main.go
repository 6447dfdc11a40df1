// Command bare is the yardstick of docs/benchmarks.md: a bare Echo v4
// server, no middleware, whose one route returns a short HTML string.
// Causerie's pages are given as a ratio of its requests per second.
//
//	go run ./docs/bench/bare -listen 127.0.0.1:18081
package main

import (
	"flag"
	"log"
	"net/http"

	"github.com/labstack/echo/v4"
)

const page = "<!doctype html><html lang=en><title>bare</title><p>Hello from a bare Echo handler.</p></html>"

func main() {
	listen := flag.String("listen", "127.0.0.1:18081", "host:port to listen on")
	flag.Parse()
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/", func(c echo.Context) error { return c.HTML(http.StatusOK, page) })
	if err := e.Start(*listen); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
