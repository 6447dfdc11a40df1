// Package cli is the causerie command line: each command loads the
// configuration, opens what it needs through package app, and reports in
// words an operator can act on.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"causerie/app"
	"causerie/app/auth"
	"causerie/app/config"
	"causerie/app/db"
	"causerie/app/errs"
	"causerie/app/plugin"
	"causerie/app/seed"
	"causerie/app/user"
)

// Version is set at build time with -ldflags "-X causerie/app/cli.Version=v1.2.3".
var Version = ""

type options struct {
	configPath string
	plugins    []plugin.Plugin
}

// Root builds the causerie command and its subcommands.
func Root(plugins ...plugin.Plugin) *cobra.Command {
	o := &options{plugins: plugins}
	root := &cobra.Command{
		Use:   "causerie",
		Short: "Causerie: a self-hosted community forum",
		Long: `Causerie serves a community forum from one binary.

With no command it serves the forum (the same as "causerie serve"). With no
configuration it keeps everything in ./data: an SQLite database, the search
index and uploads, and listens on http://localhost:8080.

Settings come from config.toml (see --config), and every setting can be
overridden by an environment variable CAUSERIE_<SECTION>_<KEY>, for example
CAUSERIE_SERVER_LISTEN=127.0.0.1:9000 or CAUSERIE_DATABASE_URL=postgres://...`,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE:          func(cmd *cobra.Command, _ []string) error { return o.serve(cmd.Context()) },
	}
	root.PersistentFlags().StringVar(&o.configPath, "config", "", "read settings from this TOML file (default: config.toml in the current folder, when there is one)")
	root.AddCommand(o.serveCmd(), o.migrateCmd(), o.userCmd(), o.tokenCmd(), o.seedCmd(), o.reputationCmd(), o.reindexCmd(), versionCmd())
	return root
}

func (o *options) load() (config.Config, error) {
	path := o.configPath
	if path == "" {
		if _, err := os.Stat("config.toml"); err == nil {
			path = "config.toml"
		}
	}
	return config.Load(path, os.Environ())
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// open loads the configuration and builds the application without serving.
func (o *options) open(ctx context.Context) (*app.App, error) {
	cfg, err := o.load()
	if err != nil {
		return nil, err
	}
	return app.New(ctx, cfg, newLogger(cfg, os.Stderr), o.plugins...)
}

func (o *options) serve(ctx context.Context) error {
	a, err := o.open(ctx)
	if err != nil {
		return err
	}
	return a.Run(ctx)
}

func (o *options) serveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Serve the forum (the default command)",
		Long: `Serve the forum until interrupted (Ctrl-C or SIGTERM), then finish the
requests in flight and close the database cleanly.

Pending database migrations are applied first. While no administrator exists,
the log shows a one-time setup code: open /setup and enter it to create the
administrator account.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.serve(cmd.Context()) },
	}
}

func (o *options) migrateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply or list database migrations",
		Long: `Causerie's schema is versioned SQL embedded in the binary. "serve" applies
pending migrations by itself; these commands let you do it ahead of a
deployment, or check where a database stands.`,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "up",
		Short: "Apply every pending migration",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := o.open(cmd.Context()) // opening applies the migrations
			if err != nil {
				return err
			}
			defer a.Close()
			fmt.Fprintln(cmd.OutOrStdout(), "The database is up to date.")
			return nil
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "status",
		Short: "List migrations and whether each is applied",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := o.load()
			if err != nil {
				return err
			}
			if err := app.PrepareDataDir(cfg.Data.Dir); err != nil {
				return err
			}
			d, err := db.Open(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer d.Close()
			st, err := d.Status(cmd.Context())
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintf(w, "VERSION\tNAME\tSTATE\n")
			for _, m := range st {
				state := "pending"
				if m.Applied {
					state = "applied " + m.AppliedAt.UTC().Format("2006-01-02 15:04:05")
				}
				fmt.Fprintf(w, "%d\t%s\t%s\n", m.Version, m.Name, state)
			}
			return w.Flush()
		},
	})
	return cmd
}

func (o *options) userCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage member accounts"}
	var username, email, role string
	var passwordStdin bool
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a confirmed account with a role",
		Long: `Create an account whose e-mail address counts as confirmed, with a role:
admin, lead, moderator, junior_moderator, editor, analyst, member, or one an
administrator defined. The password is read from standard input, so it
stays out of the shell history and the process list:

  printf '%s' "$PASSWORD" | causerie user create --username ana --email ana@example.com --role admin --password-stdin

Creating an administrator this way also ends the first-run setup.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !passwordStdin {
				return errors.New("give the password on standard input with --password-stdin")
			}
			r := auth.Role(strings.TrimSpace(role)) // the account service checks it exists
			pw, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), 4096))
			if err != nil {
				return fmt.Errorf("read password from standard input: %w", err)
			}
			a, err := o.open(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			u, err := a.Users.CreateUser(cmd.Context(), user.NewUser{Username: username, Email: email, Password: strings.TrimRight(string(pw), "\r\n"), Role: r})
			if err != nil {
				return explain(a, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Created %s %q (id %d).\n", u.Role, u.Username, u.ID)
			return nil
		},
	}
	create.Flags().StringVar(&username, "username", "", "the new account's username (required)")
	create.Flags().StringVar(&email, "email", "", "the new account's e-mail address (required)")
	create.Flags().StringVar(&role, "role", "member", "admin, lead, moderator, junior_moderator, editor, analyst, member or a defined role")
	create.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the password from standard input (required)")
	_ = create.MarkFlagRequired("username")
	_ = create.MarkFlagRequired("email")
	cmd.AddCommand(create)
	return cmd
}

func (o *options) tokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Manage personal API tokens"}
	var username, name string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a personal API token and print it once",
		Long: `Create a personal API token for a member. A program sends it in the header
"Authorization: Bearer <token>" and acts as that member, without cookies or
CSRF tokens. The token is printed once: only a hash of it is stored, so keep
it somewhere safe.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := o.open(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			tok, err := a.Users.CreateAPIToken(cmd.Context(), username, name)
			if errors.Is(err, errs.NotFound) {
				return fmt.Errorf("--user: no account is named %q", username)
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), tok)
			return nil
		},
	}
	create.Flags().StringVar(&username, "user", "", "the member the token acts as (required)")
	create.Flags().StringVar(&name, "name", "", "a name to recognise the token by (default: the date)")
	_ = create.MarkFlagRequired("user")
	cmd.AddCommand(create)
	return cmd
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of this binary",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "causerie", version())
		},
	}
}

func version() string {
	if Version != "" {
		return Version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return strings.TrimSpace(v + " " + info.GoVersion)
}

// explain turns validation errors into English sentences naming the flag.
func explain(a *app.App, err error) error {
	var f errs.Fields
	if !errors.As(err, &f) {
		return err
	}
	tr := a.Bundle.For("en")
	var parts []string
	for field, id := range f {
		parts = append(parts, fmt.Sprintf("--%s: %s", field, tr.T(id, map[string]any{"Min": a.Config.Accounts.MinPasswordLength})))
	}
	return errors.New(strings.Join(parts, "; "))
}

func (o *options) seedCmd() *cobra.Command {
	var users, topics, posts int
	var password string
	var index bool
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "Fill an empty forum with demo content",
		Long: `Fill an empty forum with realistic demo content: members, categories,
questions and discussions in English and French, replies, reactions and
accepted answers. Meant for trying Causerie and for benchmarks; it refuses a
forum that already has topics.

Every demo member (ana0, boris1, chloe2, ...) gets the password given with
--password. A million posts take a few minutes on the embedded database.

It then builds the search index, as "causerie reindex" would, so the server
starts with it ready rather than rebuilding it while it serves (which
costs the server its memory and CPU for minutes at this size). With
--index=false it leaves that to the server, or to "causerie reindex".

  causerie seed --users 2000 --topics 20000 --posts 200000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := o.open(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			hasher, err := user.NewHasher(a.Config.Accounts.PasswordHash)
			if err != nil {
				return err
			}
			hash, err := hasher.Hash(password)
			if err != nil {
				return err
			}
			st, err := seed.Run(cmd.Context(), a.DB.DB, a.Render, seed.Options{Users: users, Topics: topics, Posts: posts,
				PasswordHash: hash, Progress: cmd.ErrOrStderr()})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Seeded %d members, %d topics, %d posts, %d reactions, %d accepted answers in %s (%.0f posts/s).\n",
				st.Users, st.Topics, st.Posts, st.Reactions, st.Accepted, st.Took.Round(time.Second), float64(st.Posts)/st.Took.Seconds())
			if !index {
				return nil
			}
			return reindex(cmd, a)
		},
	}
	cmd.Flags().IntVar(&users, "users", 100, "how many members")
	cmd.Flags().IntVar(&topics, "topics", 500, "how many topics")
	cmd.Flags().IntVar(&posts, "posts", 5000, "how many posts in all, first posts included")
	cmd.Flags().StringVar(&password, "password", "demo password", "the password of every demo member")
	cmd.Flags().BoolVar(&index, "index", true, "build the search index once the forum is filled")
	return cmd
}

func (o *options) reputationCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "reputation",
		Short: "Rebuild members' reputation and badges from the content",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "rebuild",
		Short: "Recompute every member's reputation points and badges",
		Long: `Recompute reputation from what is in the database: every post with
reactions, accepted answers or a featured topic gets the points the current
[reputation] rules give, every member's total is summed again from those
points, and every badge a member has earned is granted.

Run it after importing content, or after changing the rules in config.toml
when the new rules should apply to the past. It is safe to run again, and
while the forum is serving.

  causerie reputation rebuild`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := o.open(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			ctx := cmd.Context()
			total, err := a.Reputation.Reconcilable(ctx)
			if err != nil {
				return err
			}
			bar := progressbar.NewOptions(total, progressbar.OptionSetWriter(cmd.ErrOrStderr()),
				progressbar.OptionSetDescription("posts"), progressbar.OptionShowCount(), progressbar.OptionShowIts(),
				progressbar.OptionSetItsString("posts"), progressbar.OptionThrottle(200*time.Millisecond),
				progressbar.OptionSetPredictTime(true), progressbar.OptionFullWidth(),
				progressbar.OptionOnCompletion(func() { fmt.Fprintln(cmd.ErrOrStderr()) }))
			start := time.Now()
			if err := a.Reputation.ReconcileAllWith(ctx, func(done int) { _ = bar.Set(min(done, total)) }); err != nil {
				return err
			}
			_ = bar.Finish()
			if err := a.Reputation.RecomputeAll(ctx); err != nil {
				return err
			}
			fmt.Fprintln(cmd.ErrOrStderr(), "Granting the badges members have earned…")
			if err := a.Reputation.SweepBadges(ctx); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Reputation rebuilt from %d posts in %s.\n", total, time.Since(start).Round(time.Second))
			return nil
		},
	})
	return cmd
}
