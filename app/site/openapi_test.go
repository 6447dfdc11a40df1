package site_test

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"causerie/app/site"
	"causerie/app/testutil"
)

// TestOpenAPIValid loads the document with a real OpenAPI validator.
func TestOpenAPIValid(t *testing.T) {
	doc, err := testutil.LoadOpenAPI(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
	for _, name := range []string{"Me", "Error"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("components/schemas/%s is missing", name)
		}
	}
	for _, name := range []string{"bearerAuth", "cookieAuth"} {
		if doc.Components.SecuritySchemes[name] == nil {
			t.Errorf("components/securitySchemes/%s is missing", name)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Responses.Default() != nil {
				t.Errorf("%s %s has a default response: list each status, so an undocumented one fails the tests", method, path)
			}
		}
	}
}

var echoParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// TestOpenAPIListsEveryRoute compares the API routes the real router
// registers, plugins included, with the operations of the document.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	env := testutil.New(t)
	doc, err := testutil.LoadOpenAPI(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	registered := map[string]bool{}
	for _, r := range env.App.Web.Routes() {
		if !strings.HasPrefix(r.Path, "/api/") || !slices.Contains(httpMethods, r.Method) {
			continue
		}
		if strings.Contains(r.Path, "*") {
			t.Errorf("%s %s: a wildcard route cannot be described in OpenAPI; name its parameters", r.Method, r.Path)
			continue
		}
		registered[r.Method+" "+echoParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	if len(registered) == 0 {
		t.Fatal("the router has no /api/ route")
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	for op := range registered {
		if !documented[op] {
			t.Errorf("%s is routed but not in app/site/openapi.json", op)
		}
	}
	for op := range documented {
		if !registered[op] {
			t.Errorf("%s is in app/site/openapi.json but not routed", op)
		}
	}
}

var httpMethods = []string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions, http.MethodTrace, http.MethodConnect,
}

// TestOpenAPIServed checks the document is served as embedded, to anyone.
func TestOpenAPIServed(t *testing.T) {
	env := testutil.New(t)
	res := env.Client().Get(t, "/api/v1/openapi.json")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/openapi.json: %d\n%s", res.StatusCode, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if res.Body != string(site.OpenAPI) {
		t.Errorf("the served document differs from the embedded one (%d bytes served, %d embedded)", len(res.Body), len(site.OpenAPI))
	}
	// Uncompressed too, as a plain client that asks for no gzip gets it.
	req, _ := http.NewRequest(http.MethodGet, env.URL("/api/v1/openapi.json"), nil)
	req.Header.Set("Accept-Encoding", "identity")
	raw, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Body.Close()
	b, _ := io.ReadAll(raw.Body)
	if !bytes.Equal(b, site.OpenAPI) {
		t.Errorf("the uncompressed document differs from the embedded one")
	}
}
