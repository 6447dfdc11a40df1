package web

import "causerie/app/i18n"

// With is the view with other data, given as "Key", value pairs: for a
// partial inside a range that needs both the page's view (to translate,
// to know the viewer, for the CSRF token) and the item at hand, as in
// {{template "moderation-post" ($.With "Post" $pv "Category" $p.Category)}}.
func (v *View) With(kv ...any) *View {
	cp := *v
	cp.Data = i18n.Pairs(kv...)
	return &cp
}
