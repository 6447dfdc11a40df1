package config

import (
	"fmt"
	"time"
)

// Review holds the rules of the review queue (app/review): how long an item
// should wait at most, what flags weigh and when they hide a post, which
// posts are held for approval, and whether registrations wait for staff.
type Review struct {
	// Target is how long an item should wait for a decision; the queue
	// shows each item's wait against it.
	Target Duration `toml:"target"`
	// HideScore is the flag score at which a post is hidden until a
	// reviewer decides (0: flags never hide a post by themselves).
	HideScore int `toml:"hide_score"`
	// Flag weights by the flagger's trust level (1 to 4) and for staff.
	WeightTL1   int `toml:"weight_tl1"`
	WeightTL2   int `toml:"weight_tl2"`
	WeightTL3   int `toml:"weight_tl3"`
	WeightTL4   int `toml:"weight_tl4"`
	WeightStaff int `toml:"weight_staff"`
	// Flags a member may raise a day, by trust level (1 to 4).
	FlagsPerDayTL1 int `toml:"flags_per_day_tl1"`
	FlagsPerDayTL2 int `toml:"flags_per_day_tl2"`
	FlagsPerDayTL3 int `toml:"flags_per_day_tl3"`
	FlagsPerDayTL4 int `toml:"flags_per_day_tl4"`
	// HoldFirstPosts is how many of a new member's first posts wait for a
	// reviewer (0: none).
	HoldFirstPosts int `toml:"hold_first_posts"`
	// HoldNewLinks holds posts with links by members at trust level 0.
	HoldNewLinks bool `toml:"hold_new_links"`
	// ApproveRegistrations makes new accounts wait in the queue: they
	// cannot log in until staff approve them.
	ApproveRegistrations bool `toml:"approve_registrations"`
}

func defaultReview() Review {
	return Review{Target: Duration{4 * time.Hour}, HideScore: 6,
		WeightTL1: 1, WeightTL2: 2, WeightTL3: 3, WeightTL4: 4, WeightStaff: 6,
		FlagsPerDayTL1: 5, FlagsPerDayTL2: 10, FlagsPerDayTL3: 20, FlagsPerDayTL4: 50,
		HoldFirstPosts: 1, HoldNewLinks: true}
}

// Weight is the weight of a flag raised at a trust level (staff: -1).
func (r Review) Weight(level int) int {
	switch level {
	case -1:
		return r.WeightStaff
	case 0, 1:
		return r.WeightTL1
	case 2:
		return r.WeightTL2
	case 3:
		return r.WeightTL3
	}
	return r.WeightTL4
}

// FlagsPerDay is how many flags a member at a trust level may raise a day.
func (r Review) FlagsPerDay(level int) int {
	switch level {
	case 0, 1:
		return r.FlagsPerDayTL1
	case 2:
		return r.FlagsPerDayTL2
	case 3:
		return r.FlagsPerDayTL3
	}
	return r.FlagsPerDayTL4
}

func (r Review) validate() error {
	if r.Target.Duration < time.Minute || r.Target.Duration > 30*24*time.Hour {
		return bad("review", "target", "want a duration between 1m and 720h, such as 4h")
	}
	if r.HideScore < 0 || r.HideScore > 1000 {
		return bad("review", "hide_score", "want 0 (never) to 1000")
	}
	for key, v := range map[string]int{"weight_tl1": r.WeightTL1, "weight_tl2": r.WeightTL2, "weight_tl3": r.WeightTL3,
		"weight_tl4": r.WeightTL4, "weight_staff": r.WeightStaff} {
		if v < 1 || v > 100 {
			return bad("review", key, fmt.Sprintf("want 1 to 100, got %d", v))
		}
	}
	for key, v := range map[string]int{"flags_per_day_tl1": r.FlagsPerDayTL1, "flags_per_day_tl2": r.FlagsPerDayTL2,
		"flags_per_day_tl3": r.FlagsPerDayTL3, "flags_per_day_tl4": r.FlagsPerDayTL4} {
		if v < 0 || v > 10000 {
			return bad("review", key, fmt.Sprintf("want 0 to 10000, got %d", v))
		}
	}
	if r.HoldFirstPosts < 0 || r.HoldFirstPosts > 100 {
		return bad("review", "hold_first_posts", "want 0 to 100")
	}
	return nil
}
