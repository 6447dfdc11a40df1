package upload

import "causerie/app/web"

// writeUploadForm writes the theme's "upload-form" partial in Go
// (web.Server.PartialInGo), as the topic page's reply box draws it. The
// template of partials/upload.html stays the reference and what a theme
// overrides.
func writeUploadForm(m web.Markup, data any) error {
	v, err := web.ViewOf("upload-form", data)
	if err != nil {
		return err
	}
	m.Raw(`<form method="post" action="/uploads" enctype="multipart/form-data" class="upload-form" target="_blank" data-upload-for="f-body" data-hint-js="`)
	m.Text(v.T("upload.hint_js"))
	m.Raw(`" data-uploading="`)
	m.Text(v.T("upload.uploading"))
	m.Raw(`" data-done="`)
	m.Text(v.T("upload.inserted"))
	m.Raw(`" data-failed="`)
	m.Text(v.T("upload.failed"))
	m.Raw("\">\n  ")
	if err := v.Partial(m.Buffer, "csrf", v); err != nil {
		return err
	}
	m.Raw("\n  <div class=\"field\">\n    <label for=\"f-upload\">")
	m.Text(v.T("upload.label"))
	m.Raw("</label>\n    <input id=\"f-upload\" name=\"file\" type=\"file\" aria-describedby=\"f-upload-hint\">\n    <p class=\"hint\" id=\"f-upload-hint\">")
	m.Text(v.T("upload.hint"))
	m.Raw("</p>\n  </div>\n  <p class=\"upload-status\" role=\"status\"></p>\n  <button type=\"submit\" class=\"button secondary\">")
	m.Text(v.T("upload.submit_new_tab"))
	m.Raw("</button>\n</form>")
	return nil
}
