package upload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"causerie/app/errs"
)

// Storage keeps the bytes of uploads under their keys. Keys name their
// content (its SHA-256), so putting a key that is already stored changes
// nothing. FS keeps them in a folder of the data dir, which serves one node;
// several nodes share object storage, another implementation of this
// interface (DESIGN.md, "Scale on existing engines").
type Storage interface {
	// Put stores what r yields under key.
	Put(ctx context.Context, key string, r io.Reader) error
	// Open returns the bytes under key and when they were stored, or an
	// error wrapping errs.NotFound.
	Open(ctx context.Context, key string) (io.ReadSeekCloser, time.Time, error)
	// Delete removes key; a key that is not there is not an error.
	Delete(ctx context.Context, key string) error
}

// ErrNotFound is a key or an upload that does not exist.
var ErrNotFound = fmt.Errorf("upload: %w", errs.NotFound)

// keyRE is the form of every key: a hex SHA-256. FS builds paths from keys,
// so nothing else may reach it.
var keyRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ValidKey says whether s is the form of a key.
func ValidKey(s string) bool { return keyRE.MatchString(s) }

// FS stores uploads as files under a root folder, two levels of fan-out
// deep (ab/cd/abcd...), readable by the server's user only.
type FS struct {
	root string
}

// NewFS returns the storage under root, creating the folder (0700).
func NewFS(root string) (*FS, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("create upload folder: %w", err)
	}
	if err := os.Chmod(root, 0o700); err != nil {
		return nil, fmt.Errorf("create upload folder: %w", err)
	}
	return &FS{root: root}, nil
}

func (f *FS) path(key string) (string, error) {
	if !ValidKey(key) {
		return "", fmt.Errorf("upload key %q: %w", key, ErrNotFound)
	}
	return filepath.Join(f.root, key[:2], key[2:4], key), nil
}

// Put writes r to a temporary file beside its final place and renames it
// there, so a reader never sees half a file.
func (f *FS) Put(ctx context.Context, key string, r io.Reader) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := f.path(key)
	if err != nil {
		return err
	}
	if _, err := os.Stat(p); err == nil {
		return nil // the same content is there already
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("store upload: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".put-*") // 0600
	if err != nil {
		return fmt.Errorf("store upload: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := io.Copy(tmp, r); err != nil {
		return fmt.Errorf("store upload %s: %w", key, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("store upload %s: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("store upload %s: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("store upload %s: %w", key, err)
	}
	done = true
	return nil
}

// Open opens the file of key.
func (f *FS) Open(ctx context.Context, key string) (io.ReadSeekCloser, time.Time, error) {
	if err := ctx.Err(); err != nil {
		return nil, time.Time{}, err
	}
	p, err := f.path(key)
	if err != nil {
		return nil, time.Time{}, err
	}
	file, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, time.Time{}, fmt.Errorf("upload %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("open upload %s: %w", key, err)
	}
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, time.Time{}, fmt.Errorf("open upload %s: %w", key, err)
	}
	return file, st.ModTime(), nil
}

// Delete removes the file of key.
func (f *FS) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := f.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete upload %s: %w", key, err)
	}
	return nil
}
