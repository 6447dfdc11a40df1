package app

import "io/fs"

func subFS(f fs.FS, dir string) (fs.FS, error) { return fs.Sub(f, dir) }
