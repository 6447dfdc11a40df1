package testutil

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"causerie/app/user"
)

// API sends JSON API requests as one person: a member with a bearer token,
// a member logged in with the browser's cookie (and the CSRF header on
// changes, unless NoCSRF), or a visitor. The client checks every answer
// against the OpenAPI document.
type API struct {
	env    *Env
	Client *Client
	NoCSRF bool
}

// Bearer is u with a personal API token.
func (e *Env) Bearer(t testing.TB, u *user.User) *API {
	t.Helper()
	tok, err := e.App.Users.CreateAPIToken(Ctx(), u.Username, "t")
	Must(t, err, "API token of %s", u.Username)
	c := e.Client()
	c.Header.Set("Authorization", "Bearer "+tok)
	return &API{env: e, Client: c}
}

// Session is u logged in with the browser's session cookie.
func (e *Env) Session(t testing.TB, u *user.User) *API {
	t.Helper()
	c := e.Client()
	c.Login(t, u.Username)
	return &API{env: e, Client: c}
}

// Visitor is someone not logged in.
func (e *Env) Visitor() *API { return &API{env: e, Client: e.Client()} }

// Do sends body as JSON (a string is sent as it is, to test bad JSON).
func (a *API) Do(t testing.TB, method, path string, body any) *Response {
	t.Helper()
	var b []byte
	if body != nil {
		var err error
		if s, ok := body.(string); ok {
			b = []byte(s)
		} else if b, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	req, _ := http.NewRequest(method, a.env.URL(path), bytes.NewReader(b))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok := a.Client.CSRF(); tok != "" && !a.NoCSRF && method != http.MethodGet {
		req.Header.Set("X-CSRF-Token", tok)
	}
	return a.Client.Do(t, req)
}

// Get is Do with GET and no body.
func (a *API) Get(t testing.TB, path string) *Response {
	t.Helper()
	return a.Do(t, http.MethodGet, path, nil)
}

// Post is Do with POST.
func (a *API) Post(t testing.TB, path string, body any) *Response {
	t.Helper()
	return a.Do(t, http.MethodPost, path, body)
}

// WantJSON checks an answer's status and decodes its JSON body (none for
// 204) into a T.
func WantJSON[T any](t testing.TB, res *Response, status int) T {
	t.Helper()
	var out T
	if res.StatusCode != status {
		t.Fatalf("%s %s: %d, want %d\n%s", res.Request.Method, res.Request.URL.RequestURI(), res.StatusCode, status, res.Body)
	}
	if status == http.StatusNoContent {
		return out
	}
	if err := json.Unmarshal([]byte(res.Body), &out); err != nil {
		t.Fatalf("%s %s: %v\n%s", res.Request.Method, res.Request.URL.RequestURI(), err, res.Body)
	}
	return out
}
