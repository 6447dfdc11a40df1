package slug

import "testing"

func TestMake(t *testing.T) {
	for in, want := range map[string]string{
		"Hello, World!":                 "hello-world",
		"Économie d'énergie : le guide": "economie-d-energie-le-guide",
		"  --Ça marche ?--  ":           "ca-marche",
		"如何重置密码":                        "topic",
		"iPhone 15 Pro — battery drain": "iphone-15-pro-battery-drain",
		"a very long title that goes on and on and on beyond the limit": "a-very-long-title-that-goes-on",
	} {
		if got := Make(in, 32, "topic"); got != want {
			t.Errorf("Make(%q) = %q, want %q", in, got, want)
		}
	}
}
