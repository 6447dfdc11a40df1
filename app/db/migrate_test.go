package db_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sort"
	"sync"
	"testing"

	"gorm.io/gorm/schema"

	"causerie/app/audit"
	"causerie/app/category"
	"causerie/app/config"
	"causerie/app/db"
	"causerie/app/jobs"
	"causerie/app/moderation"
	"causerie/app/notify"
	"causerie/app/policy"
	"causerie/app/reputation"
	"causerie/app/review"
	"causerie/app/search"
	"causerie/app/staff"
	"causerie/app/testutil"
	"causerie/app/topic"
	"causerie/app/upload"
	"causerie/app/user"
	"causerie/app/web"
)

// models lists every table the code reads or writes. A domain that adds a
// model adds it here, and the test below holds it to the migrations.
func models() []any {
	return []any{&user.User{}, &user.Token{}, &user.APIToken{}, &user.Setting{}, web.SessionModel(),
		&jobs.DeadJob{}, jobs.ScheduleModel(), &upload.Upload{},
		&category.Category{}, &category.Permission{}, &category.Tag{}, &category.CategoryTag{},
		&topic.Topic{}, &topic.Post{}, &topic.Revision{}, &topic.Reaction{}, &topic.Bookmark{},
		&topic.TopicRead{}, &topic.TopicTag{}, &topic.Draft{},
		&reputation.Event{}, &reputation.Award{}, &reputation.Visit{},
		&notify.Notification{}, &notify.Watch{},
		&audit.Entry{},
		&search.Term{},
		&moderation.CannedResponse{},
		&review.Item{}, &review.Flag{}, &review.CategorySetting{},
		&user.RoleRow{}, &user.RolePermission{}, &user.MemberScope{}, &staff.Sanction{}, &staff.Note{},
		&policy.Word{},
	}
}

func open(t *testing.T, dialect string) *db.DB {
	t.Helper()
	return openWith(t, dialect, func(*config.Config) {})
}

// openWith opens a new database of dialect with the default configuration
// as set changes it.
func openWith(t *testing.T, dialect string, set func(*config.Config)) *db.DB {
	t.Helper()
	cfg := config.Default()
	cfg.Data.Dir = t.TempDir()
	if dialect == "postgres" {
		cfg.Database.URL = testutil.NewPostgres(t)
	}
	set(&cfg)
	d, err := db.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func dialects() []string {
	if os.Getenv(testutil.PostgresEnv) != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// Every migration goes up, all the way down, and up again; afterwards each
// model's columns exist in its table, and each table's columns are known to
// its model.
func TestMigrationsMatchModels(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, dialect := range dialects() {
		t.Run(dialect, func(t *testing.T) {
			d := open(t, dialect)
			if err := d.Migrate(ctx, quiet); err != nil {
				t.Fatal(err)
			}
			if err := d.MigrateDown(ctx); err != nil {
				t.Fatalf("down: %v", err)
			}
			for _, m := range models() {
				if d.Migrator().HasTable(m) {
					t.Errorf("table of %T still exists after migrating down", m)
				}
			}
			if err := d.Migrate(ctx, quiet); err != nil {
				t.Fatalf("up again: %v", err)
			}
			st, err := d.Status(ctx)
			if err != nil || len(st) == 0 || !st[len(st)-1].Applied {
				t.Fatalf("status after up: %+v %v", st, err)
			}
			for _, m := range models() {
				s, err := schema.Parse(m, &sync.Map{}, d.NamingStrategy)
				if err != nil {
					t.Fatal(err)
				}
				cols, err := d.Migrator().ColumnTypes(m)
				if err != nil {
					t.Fatalf("columns of %s: %v", s.Table, err)
				}
				have := map[string]bool{}
				for _, c := range cols {
					have[c.Name()] = true
				}
				var want []string
				for _, f := range s.Fields {
					if f.DBName != "" {
						want = append(want, f.DBName)
						if !have[f.DBName] {
							t.Errorf("%s: model %T has column %s, the table does not", s.Table, m, f.DBName)
						}
					}
				}
				sort.Strings(want)
				for c := range have {
					if s.LookUpField(c) == nil {
						t.Errorf("%s: the table has column %s, model %T does not", s.Table, c, m)
					}
				}
			}
		})
	}
}

// SQLite runs in WAL mode with foreign keys enforced.
func TestSQLitePragmas(t *testing.T) {
	d := open(t, "sqlite")
	if err := d.Migrate(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	var mode string
	d.Raw("PRAGMA journal_mode").Scan(&mode)
	var fk int
	d.Raw("PRAGMA foreign_keys").Scan(&fk)
	if mode != "wal" || fk != 1 {
		t.Errorf("journal_mode=%s foreign_keys=%d, want wal and 1", mode, fk)
	}
}
