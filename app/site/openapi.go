package site

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"

	"github.com/labstack/echo/v4"
)

// OpenAPI is the API's OpenAPI 3 document: openapi.json, with the paths,
// tags and components of each domain's openapi/<domain>.json merged in. A
// test checks that it lists every /api/v1 route and that responses match it.
var OpenAPI = mustMergeOpenAPI()

//go:embed openapi.json openapi
var openAPIFiles embed.FS

func openAPI(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, OpenAPI)
}

// mustMergeOpenAPI builds the document once at start-up; a fragment that is
// not JSON, or that defines a path or component twice, is a build mistake.
func mustMergeOpenAPI() []byte {
	b, err := mergeOpenAPI(openAPIFiles)
	if err != nil {
		panic(err)
	}
	return b
}

func mergeOpenAPI(fsys fs.FS) ([]byte, error) {
	var doc map[string]any
	if err := readJSON(fsys, "openapi.json", &doc); err != nil {
		return nil, err
	}
	parts, err := fs.Glob(fsys, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	for _, p := range parts {
		var part map[string]any
		if err := readJSON(fsys, p, &part); err != nil {
			return nil, err
		}
		if err := mergeObject(doc, part, "paths", p); err != nil {
			return nil, err
		}
		if tags, ok := part["tags"].([]any); ok {
			doc["tags"] = append(doc["tags"].([]any), tags...)
		}
		comps, _ := part["components"].(map[string]any)
		into := doc["components"].(map[string]any)
		for kind := range comps {
			if err := mergeObject(into, comps, kind, p); err != nil {
				return nil, err
			}
		}
	}
	return json.Marshal(doc)
}

func readJSON(fsys fs.FS, name string, v any) error {
	raw, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// mergeObject copies from[key]'s members into into[key], refusing a member
// both already have.
func mergeObject(into, from map[string]any, key, file string) error {
	src, _ := from[key].(map[string]any)
	if len(src) == 0 {
		return nil
	}
	dst, _ := into[key].(map[string]any)
	if dst == nil {
		dst = map[string]any{}
		into[key] = dst
	}
	for k, v := range src {
		if _, dup := dst[k]; dup {
			return fmt.Errorf("%s: %s %q is already defined", file, key, k)
		}
		dst[k] = v
	}
	return nil
}
