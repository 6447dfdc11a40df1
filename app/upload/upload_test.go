package upload_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image/jpeg"
	"image/png"
	"io/fs"
	"mime/multipart"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"causerie/app/config"
	"causerie/app/errs"
	"causerie/app/testutil"
	"causerie/app/topic"
	"causerie/app/upload"
	"causerie/app/user"
	"causerie/app/web"
)

var ctx = testutil.Ctx()

// member makes a logged-in member at a trust level (uploads need level 1).
func member(t *testing.T, env *testutil.Env, name string, trust int) (*user.User, *testutil.Client) {
	t.Helper()
	u := env.Member(t, name)
	testutil.Must(t, env.App.DB.Model(&user.User{}).Where("id = ?", u.ID).Update("trust_level", trust).Error, "trust level")
	u.TrustLevel = trust
	c := env.Client()
	c.Login(t, name)
	return u, c
}

// send posts data as the "file" field of a multipart form, with the CSRF
// token in its header (as the script does) or as a form field before the
// file (as a page's form does, without JavaScript).
func send(t *testing.T, env *testutil.Env, c *testutil.Client, path, name string, data []byte, tokenInForm bool) *testutil.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if tokenInForm {
		mw.WriteField("_csrf", c.CSRF())
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, env.URL(path), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if !tokenInForm && c.CSRF() != "" {
		req.Header.Set("X-CSRF-Token", c.CSRF())
	}
	return c.Do(t, req)
}

func created(t *testing.T, res *testutil.Response) upload.APIUpload {
	t.Helper()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("status %d, want 201\n%s", res.StatusCode, res.Body)
	}
	var u upload.APIUpload
	if err := json.Unmarshal([]byte(res.Body), &u); err != nil {
		t.Fatalf("%v\n%s", err, res.Body)
	}
	return u
}

func storedFiles(t *testing.T, env *testutil.Env) int {
	t.Helper()
	n := 0
	filepath.WalkDir(filepath.Join(env.Config.Data.Dir, "uploads"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return err
	})
	return n
}

func rows(t *testing.T, env *testutil.Env) int64 {
	t.Helper()
	var n int64
	testutil.Must(t, env.App.DB.Model(&upload.Upload{}).Count(&n).Error, "count uploads")
	return n
}

func smallImages(c *config.Config) { c.Uploads.ImageMaxPx = 128 }

func TestUploadImages(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		ana, c := member(t, env, "ana", 1)

		// A PNG named .jpg is a PNG: the bytes decide, and it is shrunk to
		// image_max_px.
		pngBytes := upload.EncodePNG(t, upload.Halves(300, 200))
		u := created(t, send(t, env, c, "/api/v1/uploads", "holiday.jpg", pngBytes, false))
		if u.Kind != upload.KindImage || u.Mime != "image/png" || !strings.HasSuffix(u.URL, ".png") || u.Width != 128 || u.Height != 85 {
			t.Errorf("PNG named .jpg: %+v, want a 128×85 image/png at a .png address", u)
		}
		if u.Markdown != "![holiday]("+u.URL+")" {
			t.Errorf("markdown %q", u.Markdown)
		}

		// Served with its type, for a year, never sniffed, inline.
		res := env.Client().Get(t, u.URL)
		h := res.Header
		if res.StatusCode != http.StatusOK || h.Get("Content-Type") != "image/png" || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Cache-Control") != "public, max-age=31536000, immutable" || !strings.HasPrefix(h.Get("Content-Disposition"), "inline") ||
			h.Get("Content-Security-Policy") != "default-src 'none'" || res.Uncompressed {
			t.Errorf("GET %s: %d %v", u.URL, res.StatusCode, h)
		}
		if img, err := png.Decode(strings.NewReader(res.Body)); err != nil || img.Bounds().Dx() != 128 {
			t.Errorf("served image: %v", err)
		}
		if res := env.Client().Get(t, strings.TrimSuffix(u.URL, ".png")+".html"); res.Header.Get("Content-Type") != "image/png" {
			t.Error("the extension in the address must not change the type served")
		}

		// The same file twice: one upload, one stored file. Another member
		// sending it gets their own row, still one file.
		again := created(t, send(t, env, c, "/api/v1/uploads", "again.png", pngBytes, false))
		if again.ID != u.ID || again.URL != u.URL || rows(t, env) != 1 || storedFiles(t, env) != 1 {
			t.Errorf("same file twice: ids %d, %d; %d rows, %d files; want one of each", u.ID, again.ID, rows(t, env), storedFiles(t, env))
		}
		_, bo := member(t, env, "boris", 1)
		theirs := created(t, send(t, env, bo, "/api/v1/uploads", "copy.png", pngBytes, false))
		if theirs.ID == u.ID || theirs.URL != u.URL || storedFiles(t, env) != 1 {
			t.Errorf("another member's copy: id %d (first %d), %d files", theirs.ID, u.ID, storedFiles(t, env))
		}

		// A phone photo without JavaScript (token in the form): turned
		// upright, and its EXIF block with the GPS position is gone.
		photo := upload.WithEXIF(upload.EncodeJPEG(t, upload.Halves(100, 50)), 6)
		res = send(t, env, c, "/uploads", "IMG_2041.jpeg", photo, true)
		if res.StatusCode != http.StatusCreated || !strings.Contains(res.Body, "![IMG\\_2041](/uploads/") {
			t.Fatalf("upload page: %d\n%s", res.StatusCode, res.Body)
		}
		var up upload.Upload
		testutil.Must(t, env.App.DB.Where("user_id = ? AND original_name = ?", ana.ID, "IMG_2041.jpeg").Take(&up).Error, "find photo")
		res = env.Client().Get(t, up.URL())
		if res.Header.Get("Content-Type") != "image/jpeg" || strings.Contains(res.Body, "Exif") || bytes.Contains([]byte(res.Body), upload.GPSBytes()) {
			t.Errorf("photo served as %s, EXIF or GPS position still there: %v", res.Header.Get("Content-Type"), strings.Contains(res.Body, "Exif"))
		}
		if img, err := jpeg.Decode(strings.NewReader(res.Body)); err != nil || img.Bounds().Dx() != 50 || img.Bounds().Dy() != 100 {
			t.Errorf("photo: %v %v, want 50×100 (turned upright)", err, img)
		}

		// A script asking for JSON gets it from /uploads too.
		c.Header.Set("Accept", "application/json")
		js := created(t, send(t, env, c, "/uploads", "again.png", pngBytes, false))
		c.Header.Del("Accept")
		if js.ID != u.ID {
			t.Errorf("JSON from /uploads: %+v", js)
		}
	}, smallImages)
}

func TestUploadFiles(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		_, c := member(t, env, "ana", 1)
		notes := []byte("Meeting notes\n- bring the cables\n- book the room\n")
		u := created(t, send(t, env, c, "/api/v1/uploads", "notes.txt", notes, false))
		if u.Kind != upload.KindFile || u.Mime != "text/plain; charset=utf-8" || !strings.HasSuffix(u.URL, ".txt") ||
			u.Markdown != "[notes.txt]("+u.URL+")" {
			t.Errorf("text file: %+v", u)
		}
		res := env.Client().Get(t, u.URL)
		h := res.Header
		if res.Body != string(notes) || h.Get("Content-Type") != "text/plain; charset=utf-8" || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Content-Disposition") != `attachment; filename=notes.txt` || !strings.Contains(h.Get("Cache-Control"), "immutable") {
			t.Errorf("GET file: %v\n%q", h, res.Body)
		}

		for _, tc := range []struct{ name, data, wantEN, wantFR string }{
			{"page.txt", "<!DOCTYPE html><html><body><script>alert(document.cookie)</script>", "This kind of file is not allowed.", "Ce type de fichier n’est pas autorisé."},
			{"logo.svg", `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>`, "This kind of file is not allowed.", "Ce type de fichier n’est pas autorisé."},
			{"logo.svg", `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`, "This kind of file is not allowed.", "Ce type de fichier n’est pas autorisé."},
			{"tool.exe", "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00", "This kind of file is not allowed.", "Ce type de fichier n’est pas autorisé."},
			{"bomb.png", string(upload.HugePNG(t, 100000, 100000)), "This image has too many pixels (50 million at most).", "Cette image compte trop de pixels (50 millions au maximum)."},
			{"broken.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDRbroken", "This image could not be read. Is the file damaged?", "Cette image est illisible. Le fichier serait-il endommagé\u202f?"},
			{"big.png", "\x89PNG\r\n\x1a\n" + strings.Repeat("\x00", 1<<20), "This file is too large (1 MB at most).", "Ce fichier est trop volumineux (1 Mo au maximum)."},
			{"empty.txt", "", "This file is empty.", "Ce fichier est vide."},
		} {
			res := send(t, env, c, "/api/v1/uploads", tc.name, []byte(tc.data), false)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, tc.wantEN) {
				t.Errorf("API %s: %d %s, want 422 %q", tc.name, res.StatusCode, res.Body, tc.wantEN)
			}
			// The page without JavaScript says it next to the field, in the
			// member's language.
			c.Post(t, "/language", testutil.Form("lang", "fr"))
			res = send(t, env, c, "/uploads", tc.name, []byte(tc.data), true)
			c.Post(t, "/language", testutil.Form("lang", "en"))
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `<p class="field-error" id="f-upload-error">`+tc.wantFR) {
				t.Errorf("page %s: %d, want 422 with %q next to the field\n%s", tc.name, res.StatusCode, tc.wantFR, res.Body)
			}
		}
		if n := rows(t, env); n != 1 {
			t.Errorf("%d uploads recorded, want only the text file", n)
		}
		if res := env.Client().Get(t, "/uploads/"+strings.Repeat("0", 64)+".png"); res.StatusCode != http.StatusNotFound {
			t.Errorf("unknown upload: %d, want 404", res.StatusCode)
		}
		if res := env.Client().Get(t, "/uploads/..%2f..%2fsecret.key"); res.StatusCode != http.StatusNotFound {
			t.Errorf("a path for a key: %d, want 404", res.StatusCode)
		}
	}, func(c *config.Config) { c.Uploads.MaxImageMB = 1 })
}

// Visitors and new members may not upload; nothing is read or kept.
func TestWhoMayUpload(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		img := upload.EncodePNG(t, upload.Halves(4, 4))
		visitor := env.Client()
		visitor.Get(t, "/login")
		if res := send(t, env, visitor, "/uploads", "a.png", img, false); res.StatusCode != http.StatusSeeOther ||
			!strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Errorf("visitor, page: %d %s, want a redirect to log in", res.StatusCode, res.Header.Get("Location"))
		}
		if res := send(t, env, visitor, "/api/v1/uploads", "a.png", img, false); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("visitor, API: %d, want 401", res.StatusCode)
		}
		_, newcomer := member(t, env, "newcomer", 0)
		if res := send(t, env, newcomer, "/api/v1/uploads", "a.png", img, false); res.StatusCode != http.StatusForbidden {
			t.Errorf("trust level 0: %d, want 403", res.StatusCode)
		}
		if res := newcomer.Get(t, "/new"); strings.Contains(res.Body, `action="/uploads"`) {
			t.Error("the composer offers uploads to a member who may not upload")
		}
		_, c := member(t, env, "regular", 1)
		if res := c.Get(t, "/new"); !strings.Contains(res.Body, `action="/uploads"`) || !strings.Contains(res.Body, `enctype="multipart/form-data"`) {
			t.Error("the composer has no upload form")
		}
		mod := env.UserWithRole(t, "maud", "moderator")
		mc := env.Client()
		mc.Login(t, mod.Username)
		created(t, send(t, env, mc, "/api/v1/uploads", "a.png", img, false)) // staff, whatever their level
		if n := rows(t, env); n != 1 || storedFiles(t, env) != 1 {
			t.Errorf("%d rows, %d files: only the moderator's upload should be kept", n, storedFiles(t, env))
		}
	})
}

// endless yields a PNG signature and then zeros, for ever, counting what
// was read.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	sig := []byte("\x89PNG\r\n\x1a\n")
	for i := range p {
		if e.n+int64(i) < int64(len(sig)) {
			p[i] = sig[e.n+int64(i)]
		} else {
			p[i] = 0
		}
	}
	e.n += int64(len(p))
	return len(p), nil
}

// rawPost sends a request's headers and the first bytes (sent) of a body it
// says is much longer (length), then reads the answer: a limit that holds
// answers without waiting for the rest. (Go's server reads up to 256 KB of
// a body the handler left, before answering, when a middleware wrapped it.)
func rawPost(t *testing.T, env *testutil.Env, c *testutil.Client, path string, length, sent int64) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", env.Server.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nCookie: %s=%s; _csrf=%s\r\nX-CSRF-Token: %s\r\nAccept: application/json\r\n"+
		"Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: %d\r\n\r\n",
		path, env.Server.Listener.Addr(), web.SessionCookie, c.Cookie(web.SessionCookie), c.CSRF(), c.CSRF(), length)
	fmt.Fprintf(conn, "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n")
	conn.Write(make([]byte, sent))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s with a %d-byte body: no answer before the body was sent: %v", path, length, err)
	}
	res.Body.Close()
	return res
}

// Size limits hold before the body is read: by its declared length, and
// by what the service reads of a body without one.
func TestSizeLimitBeforeReading(t *testing.T) {
	env := testutil.New(t)
	u, c := member(t, env, "ana", 1)
	if res := rawPost(t, env, c, "/api/v1/uploads", 1<<30, 64<<10); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("1 GB body: %d, want 413", res.StatusCode)
	}
	if res := rawPost(t, env, c, "/account/avatar", 12<<20, 512<<10); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("12 MB avatar: %d, want 422 (8 MB at most)", res.StatusCode)
	}
	src := &endless{}
	_, err := env.App.Uploads.Save(ctx, u.Viewer(), upload.Input{Name: "endless.png", Body: src})
	var msg *errs.Msg
	if !errors.As(err, &msg) || msg.ID != "upload.too_large" || msg.Data["Max"] != 8 {
		t.Errorf("endless image: %v, want upload.too_large with Max 8", err)
	}
	if max := int64(8<<20) + 1; src.n > max+32<<10 {
		t.Errorf("read %d bytes of an endless image, want about %d (the limit, then stop)", src.n, max)
	}
	if rows(t, env) != 0 || storedFiles(t, env) != 0 {
		t.Error("a refused upload left a row or a file")
	}
}

// An uploaded avatar replaces the generated one on the member's pages.
func TestAvatar(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		ana, c := member(t, env, "ana", 0) // any member may have an avatar
		tp, _, err := env.App.Topics.Create(ctx, ana.Viewer(), topic.NewTopic{CategoryID: 1, Title: "Router keeps rebooting", Body: "Since the update, every hour."})
		testutil.Must(t, err, "start a topic")
		visitor := env.Client()
		if res := visitor.Get(t, tp.URL()); !strings.Contains(res.Body, `<svg class="avatar"`) {
			t.Fatalf("no generated avatar on the topic page:\n%s", res.Body)
		}
		if res := c.Get(t, "/account"); !strings.Contains(res.Body, `action="/account/avatar"`) {
			t.Fatal("no avatar form on /account")
		}

		res := send(t, env, c, "/account/avatar", "me.jpg", upload.EncodeJPEG(t, upload.Halves(600, 300)), true)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account" {
			t.Fatalf("avatar: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
		}
		ana, err = env.App.Users.Store().Get(ctx, ana.ID)
		testutil.Must(t, err, "reload ana")
		if ana.AvatarUploadID == nil {
			t.Fatal("no avatar recorded")
		}
		img := fmt.Sprintf(`<img class="avatar" src="/uploads/avatars/%d" alt="" width="40" height="40">`, *ana.AvatarUploadID)
		for _, path := range []string{tp.URL(), "/account"} {
			if res := c.Get(t, path); !strings.Contains(res.Body, img) {
				t.Errorf("%s does not show the uploaded avatar", path)
			}
		}
		if res := visitor.Get(t, tp.URL()); !strings.Contains(res.Body, img) {
			t.Error("visitors do not see the uploaded avatar")
		}
		if res := visitor.Get(t, ana.URL()); res.StatusCode == http.StatusOK && !strings.Contains(res.Body, img) {
			t.Error("the profile page does not show the uploaded avatar")
		}
		res = visitor.Get(t, ana.AvatarURL())
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/jpeg" || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Fatalf("GET %s: %d %v", ana.AvatarURL(), res.StatusCode, res.Header)
		}
		if cfg, err := jpeg.DecodeConfig(strings.NewReader(res.Body)); err != nil || cfg.Width != 256 || cfg.Height != 256 {
			t.Errorf("avatar %dx%d %v, want 256×256", cfg.Width, cfg.Height, err)
		}

		// A file that is not an image comes back with the reason.
		res = send(t, env, c, "/account/avatar", "notes.txt", []byte("just text"), true)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `id="f-avatar-error">This kind of file is not allowed.`) {
			t.Errorf("text as avatar: %d\n%s", res.StatusCode, res.Body)
		}

		old := ana.AvatarURL()
		if res := c.Post(t, "/account/avatar/delete", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove avatar: %d", res.StatusCode)
		}
		if res := visitor.Get(t, tp.URL()); strings.Contains(res.Body, `<img class="avatar"`) || !strings.Contains(res.Body, `<svg class="avatar"`) {
			t.Error("the generated avatar did not come back")
		}
		if res := visitor.Get(t, old); res.StatusCode != http.StatusNotFound {
			t.Errorf("a former avatar by ID: %d, want 404", res.StatusCode)
		}
	})
}
