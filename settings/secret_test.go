package settings

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestSecretMasksEveryForm(t *testing.T) {
	const value = "rt-very-secret-value"
	s := Secret(value)
	type holder struct {
		Token Secret
		Ptr   *Secret
	}
	forms := map[string]string{
		"String":         s.String(),
		"%v":             fmt.Sprintf("%v", s),
		"%+v":            fmt.Sprintf("%+v", s),
		"%#v":            fmt.Sprintf("%#v", s),
		"%s":             fmt.Sprintf("%s", s),
		"%q":             fmt.Sprintf("%q", s),
		"%x":             fmt.Sprintf("%x", s),
		"%X":             fmt.Sprintf("%X", s),
		"%10s":           fmt.Sprintf("%10s", s),
		"struct %+v":     fmt.Sprintf("%+v", holder{Token: s, Ptr: &s}),
		"struct %#v":     fmt.Sprintf("%#v", holder{Token: s}),
		"Sprint":         fmt.Sprint(s),
		"Sprintln":       fmt.Sprintln(s),
		"Errorf %w-less": fmt.Errorf("token %v", s).Error(),
	}
	b, err := json.Marshal(holder{Token: s, Ptr: &s})
	if err != nil {
		t.Fatal(err)
	}
	forms["json"] = string(b)
	mt, _ := s.MarshalText()
	forms["text"] = string(mt)
	for name, got := range forms {
		if strings.Contains(got, value) || strings.Contains(got, fmt.Sprintf("%x", value)) {
			t.Errorf("%s leaks the secret: %q", name, got)
		}
		if !strings.Contains(got, "**********") {
			t.Errorf("%s = %q, want the mask", name, got)
		}
	}
	if s.Reveal() != value {
		t.Errorf("Reveal() = %q", s.Reveal())
	}
	if got := fmt.Sprintf("%#v", s); got != `"**********"` {
		t.Errorf("%%#v = %s", got)
	}
	if got, _ := json.Marshal(s); string(got) != `"**********"` {
		t.Errorf("json = %s", got)
	}
}

func TestEmptySecretPrintsEmpty(t *testing.T) {
	var s Secret
	if got := fmt.Sprintf("%v|%s|%q", s, s, s); got != `||""` {
		t.Errorf("empty secret printed %q", got)
	}
	if b, _ := json.Marshal(s); string(b) != `""` {
		t.Errorf("empty secret json %s", b)
	}
}
