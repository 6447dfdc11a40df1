package user

import (
	"fmt"
	"strings"

	"causerie/app/web"
)

// writeAvatar writes the theme's "avatar" partial in Go
// (web.Server.PartialInGo) where Go code draws it, beside every author of a
// topic page: the uploaded picture, or the generated initial on the
// member's colour. It is the template of partials/form.html, which stays
// the reference (the moderation tests hold the two equal) and what a theme
// overrides.
func writeAvatar(m web.Markup, data any) error {
	u, ok := data.(*User)
	if !ok {
		return fmt.Errorf("avatar: data is %T, not a member", data)
	}
	if u == nil {
		return nil
	}
	if src := u.AvatarURL(); src != "" {
		m.Raw(`<img class="avatar" src="`)
		if !strings.HasPrefix(src, "/") { // as html/template filters an address it cannot vouch for
			src = "#ZgotmplZ"
		}
		m.URL(src)
		m.Raw(`" alt="" width="40" height="40">`)
		return nil
	}
	m.Raw(`<svg class="avatar" width="40" height="40" viewBox="0 0 40 40" aria-hidden="true" focusable="false"><circle cx="20" cy="20" r="20" fill="`)
	m.Text(u.AvatarColor())
	m.Raw(`"/><text x="20" y="26" text-anchor="middle" font-size="18" fill="#fff">`)
	m.Text(u.Initial())
	m.Raw(`</text></svg>`)
	return nil
}
