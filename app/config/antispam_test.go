package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"causerie/app/config"
)

// Limits per trust level read as an array from the file and as a list
// from the environment; a wrong one names the key.
func TestAntispamPerLevel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.toml")
	os.WriteFile(path, []byte("[antispam]\nposts_per_minute = [1, 2, 3, 4, 5]\n"), 0o600)
	cfg, err := config.Load(path, []string{"CAUSERIE_ANTISPAM_TOPICS_PER_DAY=0, 1,2,3,9"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Antispam.PostsPerMinute != (config.PerLevel{1, 2, 3, 4, 5}) || cfg.Antispam.TopicsPerDay != (config.PerLevel{0, 1, 2, 3, 9}) {
		t.Errorf("got %v and %v", cfg.Antispam.PostsPerMinute, cfg.Antispam.TopicsPerDay)
	}
	if got := cfg.Antispam.TopicsPerDay.At(7); got != 9 {
		t.Errorf("a level past 4 takes level 4's: %d", got)
	}
	for _, tc := range []struct {
		file string
		env  []string
		want []string
	}{
		{"[antispam]\nposts_per_day = [1, 2]\n", nil, []string{"posts_per_day", "5 whole numbers"}},
		{"", []string{"CAUSERIE_ANTISPAM_POSTS_PER_DAY=1,2,x,4,5"}, []string{"antispam.posts_per_day", "CAUSERIE_ANTISPAM_POSTS_PER_DAY", `"x"`}},
		{"", []string{"CAUSERIE_ANTISPAM_POSTS_PER_MINUTE=1,2,-3,4,5"}, []string{"antispam.posts_per_minute", "0 (no limit) or more"}},
		{"", []string{"CAUSERIE_ANTISPAM_SCORE_THRESHOLD=-1"}, []string{"antispam.score_threshold"}},
		{"", []string{"CAUSERIE_ANTISPAM_REGISTER_MIN_TIME=5m"}, []string{"antispam.register_min_time", "1m"}},
	} {
		p := filepath.Join(t.TempDir(), "bad.toml")
		os.WriteFile(p, []byte(tc.file), 0o600)
		_, err := config.Load(p, tc.env)
		for _, w := range tc.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%q %v: error %v, want it to say %q", tc.file, tc.env, err, w)
			}
		}
	}
}
