package event

// The events of members' standing. Other domains publish them (badges,
// trust levels); notifications subscribe.

// BadgeGranted: UserID earned the badge named Badge.
type BadgeGranted struct {
	UserID int64
	Badge  string
}

func (BadgeGranted) EventName() string { return "badge.granted" }

// TrustLevelChanged: UserID's trust level is now Level.
type TrustLevelChanged struct {
	UserID int64
	Level  int
}

func (TrustLevelChanged) EventName() string { return "trust_level.changed" }
