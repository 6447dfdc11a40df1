// Package i18n loads the message files in locales/ and translates message IDs
// for one language at a time. It imports no domain.
package i18n

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Bundle holds every language's messages.
type Bundle struct {
	bundle  *goi18n.Bundle
	langs   []string // "en" first: the fallback
	matcher language.Matcher
	trs     map[string]*Tr
	ids     map[string][]string
}

// Load reads every <lang>.toml and <domain>.<lang>.toml in fsys (a domain
// may keep its messages in a file of its own, such as moderation.fr.toml).
// English must be there: it is the language every other falls back to.
func Load(fsys fs.FS) (*Bundle, error) {
	b := &Bundle{bundle: goi18n.NewBundle(language.English), trs: map[string]*Tr{}, ids: map[string][]string{}}
	b.bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	files, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		mf, err := b.bundle.LoadMessageFileFS(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("locale %s: %w", f, err)
		}
		name := strings.TrimSuffix(path.Base(f), ".toml")
		lang := name[strings.LastIndex(name, ".")+1:]
		if _, seen := b.ids[lang]; !seen {
			b.langs = append(b.langs, lang)
		}
		for _, m := range mf.Messages {
			b.ids[lang] = append(b.ids[lang], m.ID)
		}
		sort.Strings(b.ids[lang])
	}
	sort.Slice(b.langs, func(i, j int) bool { return b.langs[i] == "en" || (b.langs[j] != "en" && b.langs[i] < b.langs[j]) })
	if len(b.langs) == 0 || b.langs[0] != "en" {
		return nil, fmt.Errorf("locales: en.toml is missing")
	}
	tags := make([]language.Tag, len(b.langs))
	for i, l := range b.langs {
		tags[i] = language.Make(l)
		b.trs[l] = &Tr{Lang: l, loc: goi18n.NewLocalizer(b.bundle, l), plain: &sync.Map{}, counted: &sync.Map{}}
	}
	b.matcher = language.NewMatcher(tags)
	return b, nil
}

// Languages lists the languages there are messages for, English first.
func (b *Bundle) Languages() []string { return b.langs }

// Supported says whether lang is one of the languages.
func (b *Bundle) Supported(lang string) bool {
	_, ok := b.trs[lang]
	return ok
}

// Has says whether English, the reference, has message id.
func (b *Bundle) Has(id string) bool {
	ids := b.ids["en"]
	i := sort.SearchStrings(ids, id)
	return i < len(ids) && ids[i] == id
}

// IDs lists the message IDs of one language, sorted.
func (b *Bundle) IDs(lang string) []string { return b.ids[lang] }

// Match picks the best language for an Accept-Language header, English when
// nothing fits.
func (b *Bundle) Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return "en"
	}
	_, idx, conf := b.matcher.Match(tags...)
	if conf == language.No {
		return "en"
	}
	return b.langs[idx]
}

// For returns the translator of lang, or of English when lang is unknown.
func (b *Bundle) For(lang string) *Tr {
	if tr, ok := b.trs[lang]; ok {
		return tr
	}
	return b.trs["en"]
}

// Tr translates into one language. It is safe for concurrent use.
type Tr struct {
	Lang string
	loc  *goi18n.Localizer
	// plain remembers messages that take no data: a page asks for the same
	// few labels hundreds of times. counted remembers those that take a
	// count alone, for small counts ("3 hours ago" on every post).
	plain, counted *sync.Map
}

// countedKey is a message with a count and nothing else.
type countedKey struct {
	id    string
	count int
}

// maxCounted bounds the counts remembered, and so what counted holds.
const maxCounted = 1000

// T translates id with its template data. A missing ID shows as the ID
// itself, so the page still renders; a test keeps that from happening.
func (t *Tr) T(id string, data map[string]any) string {
	if len(data) == 0 {
		if s, ok := t.plain.Load(id); ok {
			return s.(string)
		}
	}
	lc := &goi18n.LocalizeConfig{MessageID: id, TemplateData: data}
	if n, ok := data["Count"].(int); ok {
		lc.PluralCount = n // messages with a count choose their plural form
	}
	s, err := t.loc.Localize(lc)
	if err != nil {
		s = id // remembered too: pages ask whether optional hints exist
	}
	if len(data) == 0 {
		t.plain.Store(id, s)
	}
	return s
}

// N translates id in the plural form for count; the data gets Count too.
func (t *Tr) N(id string, count int, data map[string]any) string {
	remember := len(data) == 0 && count >= 0 && count < maxCounted
	if remember {
		if s, ok := t.counted.Load(countedKey{id, count}); ok {
			return s.(string)
		}
	}
	if data == nil {
		data = map[string]any{}
	}
	data["Count"] = count
	s, err := t.loc.Localize(&goi18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: data})
	if err != nil {
		return id
	}
	if remember {
		t.counted.Store(countedKey{id, count}, s)
	}
	return s
}

// Pairs turns "Key", value, "Key2", value2 into template data, as templates
// pass it.
func Pairs(kv ...any) map[string]any {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			m[k] = kv[i+1]
		}
	}
	return m
}
