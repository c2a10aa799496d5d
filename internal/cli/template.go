package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"
	"time"
	"unicode/utf8"
)

// --template: each object a command prints (the same object -o json
// prints; each element of a list, each change of a watch) is rendered
// through a Go text/template instead, as gh's --template. The template
// sees the JSON object (field names are the API's), with helpers:
//
//	json      the value as compact JSON
//	join      join SEP LIST
//	timeago   an RFC 3339 time as "5m ago" (or "in 3h")
//	truncate  truncate N TEXT, ending in "…" when cut
//	color     color TEXT (by state: SUCCEEDED green, ...) or color STYLE TEXT
//
// A newline is added after each object unless the template ends in one.

// parseTemplate compiles the --template text.
func (f *Factory) parseTemplate(text string, colorOn bool) (*template.Template, error) {
	now := f.Clock.Now
	funcs := template.FuncMap{
		"json": func(v any) (string, error) {
			b, err := json.Marshal(v)
			return string(b), err
		},
		"join": func(sep string, v any) string {
			items, ok := v.([]any)
			if !ok {
				return fmt.Sprint(v)
			}
			parts := make([]string, len(items))
			for i, it := range items {
				parts[i] = fmt.Sprint(it)
			}
			return strings.Join(parts, sep)
		},
		"timeago": func(v any) string {
			s, _ := v.(string)
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return s
			}
			return timeAgo(now(), t)
		},
		"truncate": func(n int, v any) string {
			s := fmt.Sprint(v)
			if n < 1 || utf8.RuneCountInString(s) <= n {
				return s
			}
			return string([]rune(s)[:n-1]) + "…"
		},
		"color": func(args ...any) (string, error) {
			switch len(args) {
			case 1:
				s := fmt.Sprint(args[0])
				return paintState(colorOn, s), nil
			case 2:
				style, s := fmt.Sprint(args[0]), fmt.Sprint(args[1])
				if _, ok := ansiStyle(style); !ok {
					return "", fmt.Errorf("color: unknown style %q (red, green, yellow, blue, magenta, cyan, bold, dim)", style)
				}
				return paint(colorOn, style, s), nil
			}
			return "", fmt.Errorf("color: expected TEXT or STYLE TEXT, got %d arguments", len(args))
		},
	}
	t, err := template.New("T").Funcs(funcs).Parse(text)
	if err != nil {
		return nil, templateError(err)
	}
	return t, nil
}

// templateError is a usage error without text/template's own prefix
// ("template: T:1: ..." becomes "--template: line 1: ...").
func templateError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "template: ")
	msg = strings.ReplaceAll(msg, `executing "T" at `, "at ")
	if rest, ok := strings.CutPrefix(msg, "T:"); ok {
		msg = "line " + rest
	}
	return cliErrorf(KindUsage, "--template: %s", msg)
}

// executeTemplate renders v (through its JSON form) and writes it.
func (o *Output) executeTemplate(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode output: %w", err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var data any
	if err := d.Decode(&data); err != nil {
		return fmt.Errorf("encode output: %w", err)
	}
	var out bytes.Buffer
	if err := o.tmpl.Execute(&out, data); err != nil {
		return templateError(err)
	}
	if out.Len() > 0 && !bytes.HasSuffix(out.Bytes(), []byte("\n")) {
		out.WriteByte('\n')
	}
	_, err = o.w.Write(out.Bytes())
	return err
}

// timeAgo is t relative to now for people: "just now", "5m ago", "3h ago",
// "2d ago", "in 10m".
func timeAgo(now, t time.Time) string {
	d := now.Sub(t)
	suffix := " ago"
	if d < 0 {
		d, suffix = -d, ""
	}
	var s string
	switch {
	case d < 10*time.Second:
		return "just now"
	case d < time.Minute:
		s = fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		s = fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		s = fmt.Sprintf("%dh", int(d/time.Hour))
	default:
		s = fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	}
	if suffix == "" {
		return "in " + s
	}
	return s + suffix
}
