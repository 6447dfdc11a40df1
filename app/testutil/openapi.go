package testutil

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"causerie/app/site"
)

// apiDoc is the OpenAPI document, loaded, validated and routed once per
// test binary: every API response a test sees is checked against it.
type apiDoc struct {
	doc    *openapi3.T
	router routers.Router
	err    error
}

var loadAPIDoc = sync.OnceValue(func() *apiDoc {
	doc, err := LoadOpenAPI(context.Background())
	if err != nil {
		return &apiDoc{err: err}
	}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		return &apiDoc{err: fmt.Errorf("route the OpenAPI document: %w", err)}
	}
	return &apiDoc{doc: doc, router: r}
})

// LoadOpenAPI parses the embedded OpenAPI document, resolves its
// references and validates it.
func LoadOpenAPI(ctx context.Context) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.Context = ctx
	doc, err := loader.LoadFromData(site.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("load the OpenAPI document: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("the OpenAPI document is not valid: %w", err)
	}
	return doc, nil
}

// CheckAPIResponse fails the test when a response under /api/v1/ is not
// what the OpenAPI document says: a status the operation does not list, a
// content type or a body that does not match its schema. A path or method
// the document does not know may only answer 404 or 405 with the Error
// shape. Security is not checked here: tests send wrong credentials on
// purpose, and the document lists the 401 they get.
func CheckAPIResponse(t testing.TB, req *http.Request, res *http.Response, body []byte) {
	t.Helper()
	path := req.URL.Path
	if !strings.HasPrefix(path, "/api/v1/") || path == "/api/v1/openapi.json" {
		return
	}
	d := loadAPIDoc()
	if d.err != nil {
		t.Fatalf("OpenAPI: %v", d.err)
	}
	route, params, err := d.router.FindRoute(req)
	if errors.Is(err, routers.ErrPathNotFound) || errors.Is(err, routers.ErrMethodNotAllowed) {
		checkUndocumented(t, d.doc, req, res, body)
		return
	}
	if err != nil {
		t.Fatalf("OpenAPI: find %s %s: %v", req.Method, path, err)
	}
	opts := &openapi3filter.Options{
		IncludeResponseStatus: true,
		MultiError:            true,
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route, Options: opts,
		},
		Status:  res.StatusCode,
		Header:  res.Header,
		Options: opts,
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
		t.Errorf("%s %s answered %d, which does not match the OpenAPI document: %v\nbody: %s",
			req.Method, path, res.StatusCode, err, bodyExcerpt(body, 2000))
	}
}

// checkUndocumented holds a request the document has no operation for to
// what the server answers then, in the Error shape: 404 or 405 from the
// router, or what the middleware in front of it refuses first (401 for a
// wrong bearer token, 403 for a state-changing request without its CSRF
// token).
func checkUndocumented(t testing.TB, doc *openapi3.T, req *http.Request, res *http.Response, body []byte) {
	t.Helper()
	switch st := res.StatusCode; {
	case st == http.StatusNotFound, st == http.StatusMethodNotAllowed:
	case st == http.StatusUnauthorized && req.Header.Get("Authorization") != "":
	case st == http.StatusForbidden && !slices.Contains([]string{http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace}, req.Method):
	default:
		t.Errorf("%s %s is not in the OpenAPI document but answered %d", req.Method, req.URL.Path, st)
		return
	}
	if req.Method == http.MethodHead {
		return
	}
	if ct, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type")); ct != "application/json" {
		t.Errorf("%s %s answered %d with Content-Type %q, want application/json",
			req.Method, req.URL.Path, res.StatusCode, res.Header.Get("Content-Type"))
		return
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Errorf("%s %s answered %d with a body that is not JSON: %v", req.Method, req.URL.Path, res.StatusCode, err)
		return
	}
	if err := doc.Components.Schemas["Error"].Value.VisitJSON(v, openapi3.VisitAsResponse()); err != nil {
		t.Errorf("%s %s answered %d with a body that is not an Error: %v\nbody: %s",
			req.Method, req.URL.Path, res.StatusCode, err, bodyExcerpt(body, 2000))
	}
}

func bodyExcerpt(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "…"
}
