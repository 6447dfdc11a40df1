package app_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"causerie/app/testutil"
)

// The data folder and every file in it are readable by the server's user
// only: the database, its WAL, the secret key.
func TestDataFolderIsPrivate(t *testing.T) {
	env := testutil.New(t)
	dir := env.Config.Data.Dir
	env.Client().Get(t, "/") // a write or two, so the WAL exists
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 {
		t.Errorf("data folder mode %v, want 0700", st.Mode().Perm())
	}
	seen := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, _ := d.Info()
		seen++
		if info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v: others can read it", d.Name(), info.Mode().Perm())
		}
		return nil
	})
	for _, name := range []string{"causerie.db", "secret.key"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s was not created: %v", name, err)
		}
	}
	if seen < 2 {
		t.Errorf("only %d files in the data folder", seen)
	}
}

// The secret key made on first start is kept: a restart must not log
// everyone out.
func TestSecretSurvivesRestart(t *testing.T) {
	env := testutil.New(t)
	key1, _ := os.ReadFile(filepath.Join(env.Config.Data.Dir, "secret.key"))
	_ = env.App.Close()
	cfg := env.Config
	a, err := newApp(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	key2, _ := os.ReadFile(filepath.Join(cfg.Data.Dir, "secret.key"))
	if len(key1) < 64 || string(key1) != string(key2) {
		t.Errorf("secret changed across restarts")
	}
}
