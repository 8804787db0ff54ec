package authz

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/audit"
)

// typeInfo is what the hook knows of one ent type, read from the
// generated entity struct (by reflection, once per type).
type typeInfo struct {
	name, entityType string
	// names are the fields (json names) of the entity struct, sorted.
	names []string
	index map[string]int
	// sensitive holds the fields ent marks Sensitive() (json:"-"), by
	// normalised Go name.
	sensitive map[string]bool
	scoped    bool
}

var typeInfos sync.Map // type name → *typeInfo

func typeInfoOf(c *ent.Client, name string) (*typeInfo, error) {
	if ti, ok := typeInfos.Load(name); ok {
		return ti.(*typeInfo), nil
	}
	tc := reflect.ValueOf(c).Elem().FieldByName(name)
	if !tc.IsValid() {
		return nil, fmt.Errorf("audit: the ent client has no %s client", name)
	}
	get := tc.MethodByName("Get")
	if !get.IsValid() || get.Type().NumOut() != 2 {
		return nil, fmt.Errorf("audit: %sClient has no Get", name)
	}
	st := get.Type().Out(0).Elem()
	ti := &typeInfo{name: name, entityType: Snake(name), index: map[string]int{}, sensitive: map[string]bool{}}
	for i := 0; i < st.NumField(); i++ {
		f := st.Field(i)
		if !f.IsExported() || f.Name == "Edges" {
			continue
		}
		tag := strings.Split(f.Tag.Get("json"), ",")[0]
		if tag == "-" {
			ti.sensitive[normalise(f.Name)] = true
			continue
		}
		if tag == "" {
			continue
		}
		ti.index[tag] = i
		ti.names = append(ti.names, tag)
	}
	sort.Strings(ti.names)
	_, ti.scoped = ti.index[ColPath]
	typeInfos.Store(name, ti)
	return ti, nil
}

// has reports whether the entity has field f.
func (t *typeInfo) has(f string) bool { _, ok := t.index[f]; return ok }

// recorded reports whether changes of f belong in an event.
func (t *typeInfo) recorded(f string) bool {
	return !noiseFields[f]
}

// secret reports whether f's values must never be recorded.
func (t *typeInfo) secret(f string) bool {
	if t.sensitive[normalise(f)] {
		return true
	}
	for _, d := range deniedFields {
		if strings.Contains(f, d) {
			return true
		}
	}
	return false
}

// locators are the fields that place a row: its scope or subject.
func (t *typeInfo) locators() []string {
	if t.scoped {
		return []string{ColTenant, ColPath, ColSector, ColEnterpriseID}
	}
	if f := auditSubject(t.name); f != "" {
		return []string{f}
	}
	if tenantWide(t.name) {
		return []string{ColTenant}
	}
	return nil
}

func (t *typeInfo) change(f string, before, after any, isUpdate bool) audit.Change {
	if t.secret(f) {
		return audit.Redacted()
	}
	if !isUpdate {
		return audit.Change{Before: audit.Value(before), After: audit.Value(after)}
	}
	return audit.Change{Before: audit.Value(deref(before)), After: audit.Value(deref(after))}
}

// values reads the exported fields of an entity (a pointer to the
// generated struct) by json name.
func (t *typeInfo) values(e any) map[string]any {
	out := map[string]any{}
	rv := reflect.ValueOf(e)
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() {
		return out
	}
	rv = rv.Elem()
	if rv.Kind() != reflect.Struct {
		return out
	}
	for name, i := range t.index {
		if i < rv.NumField() {
			out[name] = deref(rv.Field(i).Interface())
		}
	}
	return out
}

// load reads one row by id through the type's generated client.
func (t *typeInfo) load(ctx context.Context, c *ent.Client, id int) (any, error) {
	tc := reflect.ValueOf(c).Elem().FieldByName(t.name)
	out := tc.MethodByName("Get").Call([]reflect.Value{reflect.ValueOf(ctx), reflect.ValueOf(id)})
	if err, _ := out[1].Interface().(error); err != nil {
		return nil, err
	}
	return out[0].Interface(), nil
}

func deref(v any) any {
	rv := reflect.ValueOf(v)
	if rv.IsValid() && rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		return rv.Elem().Interface()
	}
	return v
}

func normalise(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "_", ""))
}

// Snake is the entity type name of an ent type: ResponsibilityLetter →
// responsibility_letter.
func Snake(name string) string {
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) {
			if i > 0 && !unicode.IsUpper(rune(name[i-1])) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func optString(v any) *string {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil
		}
		return &x
	case *string:
		return x
	}
	return nil
}

func optInt(v any) *int {
	switch x := v.(type) {
	case int:
		return &x
	case *int:
		return x
	}
	return nil
}
