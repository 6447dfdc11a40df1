package web

import (
	"reflect"
	"strconv"
	"strings"
)

// Field is one form field as the "field" partial draws it: label, input,
// hint and the error at fault, tied together for screen readers.
type Field struct {
	Name, Type, Autocomplete string
	Label, Hint, Error       string
	Value                    string
	Required                 bool
}

// Field describes the form field name for the "field" partial: its label is
// the message field.<name>, its hint field.<name>_hint when there is one, and
// its value and error come from the page's Form. Passwords never come back.
func (v *View) Field(name, typ, autocomplete string) Field {
	f := Field{Name: name, Type: typ, Autocomplete: autocomplete, Required: true, Label: v.T("field." + name)}
	if hint := "field." + name + "_hint"; v.hasMsg(hint) {
		f.Hint = v.T(hint, "Min", v.minLen())
	}
	form, ok := v.Data.(Form)
	if !ok {
		return f
	}
	if id := form.Errors[name]; id != "" {
		f.Error = v.T(id, "Min", v.minLen())
		if data := form.ErrorsData[name]; data != nil {
			f.Error = v.TD(id, data)
		}
	}
	if typ != "password" {
		f.Value = formValue(form.Values, name)
	}
	return f
}

// Optional is Field for a field that may be left empty.
func (v *View) Optional(name, typ, autocomplete string) Field {
	f := v.Field(name, typ, autocomplete)
	f.Required = false
	return f
}

func (v *View) hasMsg(id string) bool { return v.tr.T(id, nil) != id }

// minLen is the password length pages pass as Extra or inside their page.
func (v *View) minLen() int {
	if form, ok := v.Data.(Form); ok {
		switch x := form.Extra.(type) {
		case int:
			return x
		case interface{ MinPasswordLength() int }:
			return x.MinPasswordLength()
		}
	}
	return 0
}

// TD translates id with template data held in a map (a form's error).
func (v *View) TD(id string, data map[string]any) string { return v.tr.T(id, data) }

// formValue reads the field tagged form:"name" from a form struct,
// following embedded structs.
func formValue(values any, name string) string {
	rv := reflect.ValueOf(values)
	if rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return ""
	}
	for i := range rv.NumField() {
		sf := rv.Type().Field(i)
		if sf.Anonymous {
			if s := formValue(rv.Field(i).Interface(), name); s != "" {
				return s
			}
			continue
		}
		if tag := strings.Split(sf.Tag.Get("form"), ",")[0]; tag == name {
			switch f := rv.Field(i); f.Kind() {
			case reflect.String:
				return f.String()
			case reflect.Int, reflect.Int64:
				return strconv.FormatInt(f.Int(), 10)
			}
		}
	}
	return ""
}

// Blank is Field without the page's values and errors: for one form of a
// page that holds several, when the errors belong to another.
func (v *View) Blank(name, typ, autocomplete string) Field {
	f := Field{Name: name, Type: typ, Autocomplete: autocomplete, Required: true, Label: v.T("field." + name)}
	if hint := "field." + name + "_hint"; v.hasMsg(hint) {
		f.Hint = v.T(hint, "Min", v.minLen())
	}
	return f
}
