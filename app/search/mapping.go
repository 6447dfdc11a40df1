package search

import (
	"strings"
	"sync"
	"unicode"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	unitok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	zapx "github.com/blevesearch/zapx/v17"
	"golang.org/x/text/unicode/norm"
)

// Languages with an analyser of their own. A post is indexed in exactly
// one of them; a query asks all three (see query.go).
const (
	LangEN  = "en"
	LangFR  = "fr"
	LangCJK = "cjk"
)

var langs = []string{LangEN, LangFR, LangCJK}

// Analyser names in the index mapping.
const (
	anEN     = "causerie_en"
	anFR     = "causerie_fr"
	anCJK    = cjk.AnalyzerName
	foldName = "causerie_fold"
)

// Field names of a document.
const (
	fTopic     = "topic"     // topic ID, as a keyword (grouping, search in one topic)
	fCategory  = "category"  // category ID, as a keyword (the permission filter, facets)
	fAuthor    = "author"    // username, lower-cased
	fTags      = "tags"      // tag names
	fKind      = "kind"      // discussion, question, announcement
	fStatus    = "status"    // open, closed
	fSolved    = "solved"    // a question with an accepted answer
	fAccepted  = "accepted"  // this post is the accepted answer
	fFirst     = "first"     // this post starts its topic
	fNumber    = "number"    // the post's number in its topic
	fReactions = "reactions" // reactions to this post
	fCreated   = "created"   // when the post was written
	fActivity  = "activity"  // the topic's last post, the recency tie-break
	fLang      = "lang"
	fTitleRaw  = "title_raw" // stored only, for showing
	fBodyRaw   = "body_raw"  // stored only, for the fragments
	fSlug      = "slug"      // stored only, for the topic's address
	fByName    = "by"        // stored only, the author's username as written
)

func titleField(lang string) string { return "title_" + lang }
func bodyField(lang string) string  { return "body_" + lang }

var registerOnce sync.Once

// mergeWriteBytes is how much a merge of the index's segments writes at
// a time (zapx's default is 1 MiB). The system's file cache keeps what one
// write brought in as one block (a large folio) up to that size, and
// Linux 6.18 and later map the whole block into the server the first time
// any byte of it is read: each merged segment, of which the server reads
// a few dictionaries, then counted nearly whole in the server's RSS (some
// 2 MiB of every 2.9 MiB segment a posting run merges). Written 64 KiB at
// a time, only the parts read are mapped: 12 MiB less at the posting
// run's peak, for the same CPU (docs/benchmarks.md, "Memory, session 13").
const mergeWriteBytes = 64 << 10

// register makes our token filter known to Bleve, which looks analysers'
// parts up by name when it makes or opens an index, and sets how merges
// write (mergeWriteBytes).
func register() {
	registerOnce.Do(func() {
		zapx.DefaultFileMergerBufferSize = mergeWriteBytes
		_ = registry.RegisterTokenFilter(foldName, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
			return foldFilter{}, nil
		})
	})
}

// newMapping describes a document: text in one analysed field per
// language, the rest as keywords, numbers, dates and flags for filters,
// facets and sorts.
func newMapping() (*mapping.IndexMappingImpl, error) {
	register()
	im := mapping.NewIndexMapping()
	if err := im.AddCustomAnalyzer(anEN, map[string]interface{}{
		"type": custom.Name, "tokenizer": unitok.Name,
		"token_filters": []string{en.PossessiveName, lowercase.Name, en.StopName, foldName, porter.Name},
	}); err != nil {
		return nil, err
	}
	if err := im.AddCustomAnalyzer(anFR, map[string]interface{}{
		"type": custom.Name, "tokenizer": unitok.Name,
		"token_filters": []string{lowercase.Name, fr.ElisionName, fr.StopName, foldName, fr.LightStemmerName},
	}); err != nil {
		return nil, err
	}
	doc := mapping.NewDocumentMapping()
	text := func(analyzer string) *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer, f.Store, f.IncludeTermVectors, f.IncludeInAll, f.DocValues = analyzer, false, true, false, false
		return f
	}
	for _, l := range langs {
		an := map[string]string{LangEN: anEN, LangFR: anFR, LangCJK: anCJK}[l]
		doc.AddFieldMappingsAt(titleField(l), text(an))
		doc.AddFieldMappingsAt(bodyField(l), text(an))
	}
	kw := func() *mapping.FieldMapping {
		f := mapping.NewKeywordFieldMapping()
		f.Analyzer, f.IncludeInAll, f.IncludeTermVectors = keyword.Name, false, false
		return f
	}
	// Doc values (a field's values by document, on disk) are read by
	// sorts and facets only: created and reactions (sorts), category, tags
	// and kind (facets). The other fields do without them: less to write
	// at each build and less index to keep in memory.
	dv := func(name string) bool {
		return name == fCreated || name == fReactions || name == fCategory || name == fTags || name == fKind
	}
	for _, name := range []string{fTopic, fCategory, fAuthor, fTags, fKind, fStatus, fLang} {
		f := kw()
		f.Store = name == fTopic || name == fCategory || name == fAuthor
		f.DocValues = dv(name)
		doc.AddFieldMappingsAt(name, f)
	}
	stored := func() *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Index, f.Store, f.IncludeInAll, f.DocValues, f.IncludeTermVectors = false, true, false, false, false
		return f
	}
	doc.AddFieldMappingsAt(fTitleRaw, stored())
	doc.AddFieldMappingsAt(fBodyRaw, stored())
	doc.AddFieldMappingsAt(fSlug, stored())
	doc.AddFieldMappingsAt(fByName, stored())
	for _, name := range []string{fSolved, fAccepted, fFirst} {
		f := mapping.NewBooleanFieldMapping()
		f.IncludeInAll, f.Store, f.DocValues = false, name == fAccepted, dv(name)
		doc.AddFieldMappingsAt(name, f)
	}
	for _, name := range []string{fNumber, fReactions} {
		f := mapping.NewNumericFieldMapping()
		f.IncludeInAll, f.Store, f.DocValues = false, name == fNumber, dv(name)
		doc.AddFieldMappingsAt(name, f)
	}
	for _, name := range []string{fCreated, fActivity} {
		f := mapping.NewDateTimeFieldMapping()
		f.IncludeInAll, f.Store, f.DocValues = false, true, dv(name)
		doc.AddFieldMappingsAt(name, f)
	}
	doc.Dynamic = false
	im.DefaultMapping = doc
	im.DefaultAnalyzer = anEN
	im.StoreDynamic, im.IndexDynamic, im.DocValuesDynamic = false, false, false
	return im, nil
}

// foldFilter takes accents off (é → e, ç → c) and spells ligatures out
// (œ → oe), so "telecharger" finds "télécharger" and the other way round.
// Offsets stay those of the original text, so highlights still fit.
type foldFilter struct{}

func (foldFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, tok := range in {
		tok.Term = []byte(fold(string(tok.Term)))
	}
	return in
}

var ligatures = strings.NewReplacer("œ", "oe", "Œ", "OE", "æ", "ae", "Æ", "AE", "ß", "ss")

// fold removes diacritics from s.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	s = ligatures.Replace(s)
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}
