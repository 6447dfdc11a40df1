package user_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"causerie/app/testutil"
	"causerie/app/user"
	"causerie/app/web"
)

// TestAPIMe asks who is calling, with each way of authenticating. The
// bodies are also checked against the OpenAPI document by the client.
func TestAPIMe(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		u := env.Member(t, "Ana_Lima")
		token, err := env.App.Users.CreateAPIToken(testutil.Ctx(), u.Username, "test")
		testutil.Must(t, err, "create API token")

		t.Run("anonymous", func(t *testing.T) {
			res := env.Client().Get(t, "/api/v1/me")
			wantAPIError(t, res, http.StatusUnauthorized, "unauthorized", "You need to log in first.")
		})
		t.Run("bearer token", func(t *testing.T) {
			c := env.Client()
			c.Header.Set("Authorization", "Bearer "+token)
			wantMe(t, c.Get(t, "/api/v1/me"), u)
		})
		t.Run("wrong bearer token", func(t *testing.T) {
			for _, h := range []string{"Bearer cau_nottherightone", "Bearer " + token + "x", "Bearer nope", "Basic " + token} {
				c := env.Client()
				c.Header.Set("Authorization", h)
				res := c.Get(t, "/api/v1/me")
				wantAPIError(t, res, http.StatusUnauthorized, "unauthorized", "This API token is not valid. Check the Authorization header.")
			}
		})
		t.Run("a wrong token is refused even with a session", func(t *testing.T) {
			c := env.Client()
			c.Login(t, u.Username)
			c.Header.Set("Authorization", "Bearer cau_nottherightone")
			wantAPIError(t, c.Get(t, "/api/v1/me"), http.StatusUnauthorized, "unauthorized", "")
		})
		t.Run("session cookie", func(t *testing.T) {
			c := env.Client()
			c.Login(t, u.Username)
			wantMe(t, c.Get(t, "/api/v1/me"), u)
		})
		t.Run("in French", func(t *testing.T) {
			c := env.Client()
			c.Header.Set("Accept-Language", "fr-FR,fr;q=0.9")
			res := c.Get(t, "/api/v1/me")
			wantAPIError(t, res, http.StatusUnauthorized, "unauthorized", "Vous devez d’abord vous connecter.")
			if cl := res.Header.Get("Content-Language"); cl != "fr" {
				t.Errorf("Content-Language = %q, want fr", cl)
			}
		})
		t.Run("wrong bearer token in French", func(t *testing.T) {
			// The token is refused before the locale middleware runs; the
			// error handler still answers in the reader's language.
			c := env.Client()
			c.Header.Set("Accept-Language", "fr")
			c.Header.Set("Authorization", "Bearer cau_nottherightone")
			wantAPIError(t, c.Get(t, "/api/v1/me"), http.StatusUnauthorized, "unauthorized",
				"Ce jeton d’API n’est pas valide. Vérifiez l’en-tête Authorization.")
		})
		t.Run("method not allowed", func(t *testing.T) {
			// A program with a token needs no CSRF token, so it reaches the router.
			c := env.Client()
			c.Header.Set("Authorization", "Bearer "+token)
			req, _ := http.NewRequest(http.MethodPost, env.URL("/api/v1/me"), nil)
			wantAPIError(t, c.Do(t, req), http.StatusMethodNotAllowed, "method_not_allowed", "")
			// A browser session without the CSRF header is refused first.
			c = env.Client()
			c.Login(t, u.Username)
			req, _ = http.NewRequest(http.MethodPost, env.URL("/api/v1/me"), nil)
			wantAPIError(t, c.Do(t, req), http.StatusForbidden, "forbidden", "")
		})
		t.Run("unknown path", func(t *testing.T) {
			c := env.Client()
			c.Header.Set("Authorization", "Bearer "+token)
			wantAPIError(t, c.Get(t, "/api/v1/nothing-here"), http.StatusNotFound, "not_found", "")
		})
	})
}

func wantMe(t *testing.T, res *testutil.Response, u *user.User) {
	t.Helper()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/me: %d, want 200\n%s", res.StatusCode, res.Body)
	}
	var got user.Me
	if err := json.Unmarshal([]byte(res.Body), &got); err != nil {
		t.Fatalf("GET /api/v1/me: %v\n%s", err, res.Body)
	}
	want := user.Me{ID: u.ID, Username: "Ana_Lima", Email: "ana_lima@example.test", Role: "member",
		Language: "en", EmailConfirmed: true}
	created := got.CreatedAt
	got.CreatedAt = time.Time{}
	if got != want {
		t.Errorf("GET /api/v1/me = %+v, want %+v", got, want)
	}
	if d := time.Since(created); created.IsZero() || d < -time.Minute || d > time.Hour {
		t.Errorf("created_at = %v, want about now", created)
	}
}

// wantAPIError checks an error answer; an empty message means any
// non-empty one.
func wantAPIError(t *testing.T, res *testutil.Response, status int, code, message string) {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("%s %s: %d, want %d\n%s", res.Request.Method, res.Request.URL.Path, res.StatusCode, status, res.Body)
	}
	var body web.APIError
	if err := json.Unmarshal([]byte(res.Body), &body); err != nil {
		t.Fatalf("%s: not a JSON error: %v\n%s", res.Request.URL.Path, err, res.Body)
	}
	if body.Error.Code != code {
		t.Errorf("%s: code %q, want %q", res.Request.URL.Path, body.Error.Code, code)
	}
	if message == "" && body.Error.Message == "" || message != "" && body.Error.Message != message {
		t.Errorf("%s: message %q, want %q", res.Request.URL.Path, body.Error.Message, message)
	}
}
