package recipes

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestREADMEListsEveryKey keeps the README's recipe reference whole: every
// key a recipe file may hold (the yaml tags of Recipe, recursively) is named
// in its "Recipes" section, either as its full dotted path in backticks or as
// `.leaf` on a line that names the parent's path.
func TestREADMEListsEveryKey(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "\n## Recipes")
	if start < 0 {
		t.Fatal(`README.md has no "## Recipes" section`)
	}
	section := text[start+1:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	lines := strings.Split(section, "\n")
	for _, key := range recipeKeys("", reflect.TypeOf(Recipe{})) {
		if !documented(lines, key) {
			t.Errorf("README.md's Recipes section does not name recipe key %s", key)
		}
	}
}

// documented reports whether key appears as "`key`" (or as the start of a
// backticked span, "`key: …`"), or as "`.leaf" or "`leaf`" on a line
// holding one of its ancestors' paths ("`model.corruption`: `.type` …").
func documented(lines []string, key string) bool {
	segs := strings.Split(key, ".")
	leaf := segs[len(segs)-1]
	for _, l := range lines {
		for _, want := range []string{"`" + key + "`", "`" + key + ":", "`" + key + "."} {
			if strings.Contains(l, want) {
				return true
			}
		}
		if !strings.Contains(l, "`."+leaf) && !strings.Contains(l, "`"+leaf+"`") {
			continue
		}
		for i := len(segs) - 1; i >= 1; i-- {
			if strings.Contains(l, "`"+strings.Join(segs[:i], ".")) {
				return true
			}
		}
	}
	return false
}

// recipeKeys lists the dotted key paths of t's yaml-tagged fields. A list of
// structs contributes its element's keys under the list's own path; maps
// (optimizer, schedule, quick) are leaves, their keys being documented with
// the optimizers and schedules.
func recipeKeys(prefix string, t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" {
			continue
		}
		key := tag
		if prefix != "" {
			key = prefix + "." + tag
		}
		keys = append(keys, key)
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct {
			keys = append(keys, recipeKeys(key, ft)...)
		}
	}
	return keys
}
