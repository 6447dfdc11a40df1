// Package errs holds the kinds of error every domain returns and the HTTP
// error handler maps to a status and a translated message. It imports no
// domain.
package errs

import (
	"errors"
	"sort"
	"strings"
	"time"
)

// The kinds. Domains wrap them (fmt.Errorf("topic: %w", errs.NotFound)) so
// callers that know nothing of the domain can still tell what happened.
var (
	NotFound     = errors.New("not found")
	Forbidden    = errors.New("forbidden")
	Unauthorized = errors.New("unauthorized")
	Invalid      = errors.New("invalid")
	Conflict     = errors.New("conflict")
	TooMany      = errors.New("too many requests")
)

// Fields is a validation failure: each field at fault with the message ID
// that explains it. It is of kind Invalid.
type Fields map[string]string

func (f Fields) Error() string {
	names := make([]string, 0, len(f))
	for k, v := range f {
		names = append(names, k+": "+v)
	}
	sort.Strings(names)
	return "invalid " + strings.Join(names, ", ")
}

func (f Fields) Is(target error) bool { return target == Invalid }

// Err returns f as an error, or nil when no field is at fault.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return f
}

// Msg is an error of a kind that carries the message ID (and its template
// data) the user should read.
type Msg struct {
	Kind error
	ID   string
	Data map[string]any
}

// New returns an error of kind whose user-facing text is the message id.
func New(kind error, id string, data map[string]any) *Msg {
	return &Msg{Kind: kind, ID: id, Data: data}
}

func (m *Msg) Error() string { return m.Kind.Error() + ": " + m.ID }
func (m *Msg) Unwrap() error { return m.Kind }

// Limited says a rate limit was hit and when the next try may succeed.
type Limited struct {
	RetryAfter time.Duration
}

func (l *Limited) Error() string        { return "too many requests, retry after " + l.RetryAfter.String() }
func (l *Limited) Is(target error) bool { return target == TooMany }

// FieldData is a field failure whose messages take template data (the
// watched word a post may not contain, the number of posts allowed a day).
// Its kind is Kind, Invalid when nil (TooMany for a limit). errors.As finds
// its Fields, so forms and the API show it as any field error; DataOf gives
// each field's message its data.
type FieldData struct {
	Kind   error
	Fields Fields
	Data   map[string]map[string]any
}

func (f *FieldData) Error() string { return f.Fields.Error() }

func (f *FieldData) Is(target error) bool {
	if f.Kind == nil {
		return target == Invalid
	}
	return target == f.Kind
}

func (f *FieldData) As(target any) bool {
	if p, ok := target.(*Fields); ok {
		*p = f.Fields
		return true
	}
	return false
}

// DataOf returns the template data of each field's message in err, nil
// when err carries none.
func DataOf(err error) map[string]map[string]any {
	var fd *FieldData
	if errors.As(err, &fd) {
		return fd.Data
	}
	return nil
}
