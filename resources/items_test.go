package resources_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aignostics/aignostics/resources"
)

func TestParseItemsAccepts(t *testing.T) {
	one := `{"external_id":"a","input_artifacts":[{"name":"whole_slide_image","download_url":"https://x/a.tiff","metadata":{"width_px":12345678901234567890}}]}`
	two := `{"external_id":"b","custom_metadata":{"k":"v"},"input_artifacts":[],"unknown_field":1}`
	tests := []struct {
		name string
		in   string
		ids  []string
	}{
		{"array", "[" + one + "," + two + "]", []string{"a", "b"}},
		{"array over lines", "[\n  " + one + ",\n  " + two + "\n]\n", []string{"a", "b"}},
		{"empty array", "[]", nil},
		{"jsonl", one + "\n" + two + "\n", []string{"a", "b"}},
		{"jsonl blank lines and CRLF", "\r\n" + one + "\r\n\r\n" + two, []string{"a", "b"}},
		{"jsonl with BOM", "\xef\xbb\xbf" + one, []string{"a"}},
		{"pretty objects", "{\n \"external_id\": \"a\",\n \"input_artifacts\": []\n}\n{\"external_id\":\"b\",\"input_artifacts\":[]}", []string{"a", "b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			items, err := resources.ParseItems(strings.NewReader(tc.in))
			if err != nil {
				t.Fatalf("ParseItems: %v", err)
			}
			var ids []string
			for _, it := range items {
				ids = append(ids, it.ExternalID)
			}
			if diff := cmp.Diff(tc.ids, ids); diff != "" {
				t.Fatalf("external ids (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseItemsKeepsNumbersExact(t *testing.T) {
	in := `{"external_id":"a","input_artifacts":[{"name":"n","download_url":"https://x","metadata":{"big":12345678901234567890,"f":0.1}}]}`
	items, err := resources.ParseItems(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(items[0].InputArtifacts[0].Metadata)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"big":12345678901234567890,"f":0.1}`; got != want {
		t.Fatalf("metadata re-encoded as %s, want %s", got, want)
	}
}

func TestParseItemsErrors(t *testing.T) {
	ok := `{"external_id":"a","input_artifacts":[]}`
	tests := []struct {
		name, in string
		want     []string // substrings of the error
	}{
		{"empty", "  \n", []string{"no items"}},
		{"syntax on line 3 of jsonl", ok + "\n" + ok + "\n{\"external_id\": }\n", []string{"line 3", "item 2"}},
		{"syntax in array", "[\n" + ok + ",\n{\"external_id\" \"x\"}\n]", []string{"line 3", "item 1"}},
		{"not an object", ok + "\n[1,2]\n", []string{"line 2", "item 1", "JSON object"}},
		{"null element", "[" + ok + ", null]", []string{"item 1", "JSON object"}},
		{"wrong type", ok + "\n{\"external_id\": 7, \"input_artifacts\": []}\n", []string{"line 2", "item 1", "external_id"}},
		{"wrong nested type", "{\n\"external_id\": \"x\",\n\"input_artifacts\": {}\n}", []string{"line 3", "input_artifacts"}},
		{"unterminated array", "[" + ok, []string{"item"}},
		{"data after array", "[" + ok + "]\n\n{}", []string{"line 3", "after the array"}},
		{"a scalar", "42", []string{"JSON object"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := resources.ParseItems(strings.NewReader(tc.in))
			if err == nil {
				t.Fatal("ParseItems succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func FuzzParseItems(f *testing.F) {
	f.Add(`[{"external_id":"a","input_artifacts":[]}]`)
	f.Add("{\"external_id\":\"a\",\"input_artifacts\":[{\"name\":\"n\",\"download_url\":\"u\",\"metadata\":{}}]}\n{}\n")
	f.Add("[\n{},\n")
	f.Add("\xef\xbb\xbf{\"x\":1e400}")
	f.Fuzz(func(t *testing.T, in string) {
		items, err := resources.ParseItems(strings.NewReader(in))
		if err != nil {
			if items != nil {
				t.Fatalf("items %v returned with error %v", items, err)
			}
			return
		}
		if len(items) == 0 {
			return
		}
		// What parsed must survive a round trip as a JSON array.
		b, err := json.Marshal(items)
		if err != nil {
			t.Fatalf("re-encode parsed items: %v", err)
		}
		again, err := resources.ParseItems(strings.NewReader(string(b)))
		if err != nil {
			t.Fatalf("re-parse %s: %v", b, err)
		}
		if len(again) != len(items) {
			t.Fatalf("round trip changed the item count: %d -> %d", len(items), len(again))
		}
	})
}

func TestParseAppRef(t *testing.T) {
	tests := []struct {
		in, app, version string
		bad              bool
	}{
		{in: "he-tme", app: "he-tme"},
		{in: "he-tme:1.2.0", app: "he-tme", version: "1.2.0"},
		{in: "test-app:1.1.0-rc.1+b5", app: "test-app", version: "1.1.0-rc.1+b5"},
		{in: "he-tme:", bad: true},
		{in: ":1.0.0", bad: true},
		{in: "", bad: true},
		{in: "a:1:2", bad: true},
		{in: "a/b", bad: true},
	}
	for _, tc := range tests {
		app, version, err := resources.ParseAppRef(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("ParseAppRef(%q) = %q, %q; want an error", tc.in, app, version)
			}
			continue
		}
		if err != nil || app != tc.app || version != tc.version {
			t.Errorf("ParseAppRef(%q) = %q, %q, %v; want %q, %q", tc.in, app, version, err, tc.app, tc.version)
		}
	}
}

func FuzzParseAppRef(f *testing.F) {
	for _, s := range []string{"he-tme", "he-tme:1.2.0", "a:", ":b", "a:b:c", "a/b:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		app, version, err := resources.ParseAppRef(s)
		if err != nil {
			return
		}
		if app == "" || strings.ContainsAny(app, ":/ \t") || strings.ContainsAny(version, ":/ \t") {
			t.Fatalf("ParseAppRef(%q) accepted app %q version %q", s, app, version)
		}
		joined := app
		if version != "" {
			joined += ":" + version
		}
		if joined != s {
			t.Fatalf("ParseAppRef(%q) = %q, %q: does not rebuild the input", s, app, version)
		}
	})
}
