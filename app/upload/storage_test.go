package upload_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"causerie/app/errs"
	"causerie/app/upload"
)

const key = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

func TestFSStorage(t *testing.T) {
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "uploads")
	fs, err := upload.NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	var s upload.Storage = fs // the interface object storage will implement too
	if err := s.Put(ctx, key, strings.NewReader("test")); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, key, strings.NewReader("ignored: the key names its content")); err != nil {
		t.Fatal(err)
	}
	f, mod, err := s.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != "test" || mod.IsZero() {
		t.Errorf("read %q (modified %v), want \"test\"", b, mod)
	}
	// Readable by the server's user only: folders 0700, files 0600.
	for _, p := range []string{root, filepath.Join(root, key[:2]), filepath.Join(root, key[:2], key[2:4])} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v, %v; want 0700", p, st.Mode().Perm(), err)
		}
	}
	if st, err := os.Stat(filepath.Join(root, key[:2], key[2:4], key)); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, %v; want 0600", st.Mode().Perm(), err)
	}
	entries, _ := os.ReadDir(filepath.Join(root, key[:2], key[2:4]))
	if len(entries) != 1 {
		t.Errorf("%d entries beside the file, want it alone (no temporary left)", len(entries))
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Open(ctx, key); !errors.Is(err, errs.NotFound) {
		t.Errorf("open after delete: %v, want not found", err)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Errorf("deleting a missing key: %v", err)
	}
	// Keys are SHA-256 in hex, nothing else: no way out of the folder.
	for _, bad := range []string{"../../secret.key", "", strings.ToUpper(key), key + "/x", key[:63]} {
		if err := s.Put(ctx, bad, strings.NewReader("x")); !errors.Is(err, errs.NotFound) {
			t.Errorf("Put(%q): %v, want refused", bad, err)
		}
		if _, _, err := s.Open(ctx, bad); !errors.Is(err, errs.NotFound) {
			t.Errorf("Open(%q): %v, want not found", bad, err)
		}
	}
}
