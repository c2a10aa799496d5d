package resources

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/internal/jsonschema"
	"github.com/google/go-cmp/cmp"
)

var sdkNow = time.Date(2026, 12, 7, 5, 0, 0, 0, time.UTC)

func TestRunOptionsCheck(t *testing.T) {
	good := RunOptions{Note: "x", Tags: []string{"a", "b"}, DueDate: "2026-12-08T10:00:00Z", Deadline: "2026-12-09T10:00:00+01:00", Pipeline: DefaultPipeline()}
	if ps := good.Check(sdkNow); len(ps) != 0 {
		t.Fatalf("good options: %v", ps)
	}
	flex := DefaultPipeline()
	flex.GPU.ProvisioningMode, flex.GPU.FlexStartMaxRunDurationMinutes = "FLEX_START", 60
	if ps := (RunOptions{Pipeline: flex}).Check(sdkNow); len(ps) != 0 {
		t.Fatalf("FLEX_START with a duration: %v", ps)
	}
	bad := DefaultPipeline()
	bad.GPU.GPUType, bad.GPU.MaxGPUsPerSlide, bad.GPU.FlexStartMaxRunDurationMinutes = "H100", 9, 4000
	bad.CPU.ProvisioningMode, bad.NodeAcquisitionTimeoutMinutes = "FLEX_START", 0
	o := RunOptions{
		Tags:     []string{"a", "a", " ", ValidationCaseTagPrefix + "explode", ValidationCaseTagPrefix + "do_nothing"},
		DueDate:  "2026-12-06T10:00:00Z", // past
		Deadline: "2026-12-09T10:00:00",  // no zone
		Pipeline: bad,
	}
	var got []string
	for _, p := range o.Check(sdkNow) {
		got = append(got, p.Error())
	}
	want := []string{
		`--tags: a tag is empty`,
		`--tags: invalid validation case "explode": must be one of send_succeeded, send_recoverable_error, send_system_error, send_user_error, do_nothing`,
		`--due-date: 2026-12-06T10:00:00Z is not in the future`,
		`--deadline: "2026-12-09T10:00:00": has no time zone (add Z or an offset such as +01:00)`,
		`--gpu-type: "H100": must be one of L4, A100`,
		`--max-gpus-per-slide: 9: must be between 1 and 8`,
		`--flex-start-max-run-duration-minutes: 4000: must be between 1 and 3600`,
		`--flex-start-max-run-duration-minutes: only with --gpu-provisioning-mode FLEX_START`,
		`--cpu-provisioning-mode: "FLEX_START": must be one of SPOT, ON_DEMAND`,
		`--node-acquisition-timeout-minutes: 0: must be between 1 and 3600`,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("problems (-want +got):\n%s", d)
	}
	order := RunOptions{DueDate: "2026-12-09T10:00:00Z", Deadline: "2026-12-09T11:00:00+02:00"}
	if ps := order.Check(sdkNow); len(ps) != 1 || !strings.Contains(ps[0].Error(), "must be before the deadline") {
		t.Errorf("due date after the deadline: %v", ps)
	}
	if ps := (RunOptions{Deadline: "next tuesday"}).Check(sdkNow); len(ps) != 1 || !strings.Contains(ps[0].Error(), "not an ISO 8601 date-time") {
		t.Errorf("not a date: %v", ps)
	}
}

func TestRunOptionsScheduling(t *testing.T) {
	if s := (RunOptions{}).Scheduling(); s != nil {
		t.Fatalf("no dates: %v", s)
	}
	s := RunOptions{DueDate: "2026-12-08 10:00:00+01:00"}.Scheduling()
	if s == nil || s.Deadline != nil || !s.DueDate.Equal(time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("scheduling: %+v", s)
	}
}

func TestRunSDKMetadataShape(t *testing.T) {
	email, org := "a@b.c", "Org"
	flex := DefaultPipeline()
	flex.GPU.ProvisioningMode = "FLEX_START"
	got := RunSDKMetadata(RunOptions{Note: "n", Tags: []string{"b", "a"}, OnboardToAignosticsPortal: true, Pipeline: flex}, SDKContext{
		Now: sdkNow.In(time.FixedZone("x", 3600)), Interface: "cli", UserAgent: "ua",
		Me: &MeReadResponse{User: UserReadResponse{ID: "u1", Email: &email}, Organization: OrganizationReadResponse{ID: "o1", Name: &org}},
	})
	want := map[string]any{
		"note": "n", "tags": []any{"a", "b"},
		"workflow": map[string]any{"onboard_to_aignostics_portal": true},
		"pipeline": map[string]any{
			"gpu": map[string]any{"gpu_type": "A100", "provisioning_mode": "FLEX_START", "max_gpus_per_slide": 1, "flex_start_max_run_duration_minutes": 720},
			"cpu": map[string]any{"provisioning_mode": "SPOT"}, "node_acquisition_timeout_minutes": 30,
		},
		"schema_version": "0.0.6", "created_at": "2026-12-07T05:00:00+00:00", "updated_at": "2026-12-07T05:00:00+00:00",
		"submission": map[string]any{"date": "2026-12-07T05:00:00+00:00", "interface": "cli", "initiator": "user"},
		"user_agent": "ua",
		"user":       map[string]any{"organization_id": "o1", "organization_name": "Org", "user_email": "a@b.c", "user_id": "u1"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("sdk (-want +got):\n%s", d)
	}
	// No options, library use, no caller: only what the SDK always writes.
	min := RunSDKMetadata(RunOptions{}, SDKContext{Now: sdkNow})
	if d := cmp.Diff(map[string]any{
		"schema_version": "0.0.6", "created_at": "2026-12-07T05:00:00+00:00", "updated_at": "2026-12-07T05:00:00+00:00",
		"submission": map[string]any{"date": "2026-12-07T05:00:00+00:00", "interface": "script", "initiator": "user"}, "user_agent": "",
	}, min); d != "" {
		t.Errorf("minimal sdk (-want +got):\n%s", d)
	}
}

// loadSchema compiles one of the Python SDK's published sdk schemas.
func loadSchema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	raw, err := os.ReadFile("testdata/sdk/" + name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jsonschema.Compile(raw, jsonschema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// asSent is v as the platform receives it: encoded and decoded again.
func asSent(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var out any
	if err := d.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSDKMetadataValidAgainstPublishedSchemas(t *testing.T) {
	run := loadSchema(t, "run_sdk_metadata_schema_v0.0.6.json")
	item := loadSchema(t, "item_sdk_metadata_schema_v0.0.3.json")
	email, org := "a@b.c", "Org"
	me := &MeReadResponse{User: UserReadResponse{ID: "u1", Email: &email}, Organization: OrganizationReadResponse{ID: "o1", Name: &org}}
	env := map[string]string{
		"GITHUB_RUN_ID": "42", "GITHUB_REPOSITORY": "o/r", "GITHUB_SHA": "abc", "RUNNER_OS": "Linux",
		"PYTEST_CURRENT_TEST": "test_x.py::test_y (call)", "PYTEST_MARKERS": "e2e,long",
	}
	flex := DefaultPipeline()
	flex.GPU.ProvisioningMode, flex.GPU.FlexStartMaxRunDurationMinutes = "FLEX_START", 90
	cases := map[string]struct {
		o RunOptions
		c SDKContext
	}{
		"minimal":  {RunOptions{}, SDKContext{Now: sdkNow}},
		"cli":      {RunOptions{Note: "x", Tags: []string{"a", "b", "a"}, DueDate: "2026-12-08T10:00:00Z", Deadline: "2026-12-09T10:00:00+01:00", Pipeline: DefaultPipeline()}, SDKContext{Now: sdkNow, Interface: "cli", UserAgent: "aignostics-go/1", Me: me}},
		"ci":       {RunOptions{OnboardToAignosticsPortal: true, Pipeline: flex}, SDKContext{Now: sdkNow, Interface: "cli", Getenv: func(k string) string { return env[k] }}},
		"bridge":   {RunOptions{Tags: []string{ValidationCaseTagPrefix + "send_succeeded"}}, SDKContext{Now: sdkNow, Getenv: func(k string) string { return map[string]string{"AIGNOSTICS_BRIDGE_VERSION": "1"}[k] }}},
		"no email": {RunOptions{}, SDKContext{Now: sdkNow, Me: &MeReadResponse{User: UserReadResponse{ID: "u"}, Organization: OrganizationReadResponse{ID: "o", Name: &org}}}},
	}
	for name, tc := range cases {
		md := RunSDKMetadata(tc.o, tc.c)
		if errs := run.Validate(asSent(t, md)); len(errs) > 0 {
			t.Errorf("%s: run sdk metadata invalid against the SDK's schema: %v\n%v", name, errs, md)
		}
	}
	ci := RunSDKMetadata(cases["ci"].o, cases["ci"].c)
	if gh := ci["ci"].(map[string]any)["github"].(map[string]any); gh["run_url"] != "https://github.com/o/r/actions/runs/42" || gh["job"] != nil {
		t.Errorf("ci.github: %v", gh)
	}
	if ci["submission"].(map[string]any)["initiator"] != "test" {
		t.Errorf("initiator under pytest: %v", ci["submission"])
	}
	// The schema is not a rubber stamp: what the SDK refuses, it refuses.
	bad := RunSDKMetadata(RunOptions{}, SDKContext{Now: sdkNow})
	bad["study"] = "x"
	bad["submission"].(map[string]any)["interface"] = "gui"
	if errs := run.Validate(asSent(t, bad)); len(errs) != 2 {
		t.Errorf("an unknown key and interface gui: %v", errs)
	}

	pb := &PlatformBucket{BucketName: "b", ObjectKey: "u/slides/x.tiff", SignedDownloadURL: "https://storage.example/b/u/slides/x.tiff?X-Amz-Signature=00"}
	for name, md := range map[string]map[string]any{
		"new":      ItemSDKMetadata(nil, nil, sdkNow),
		"bucket":   ItemSDKMetadata(nil, pb, sdkNow),
		"existing": ItemSDKMetadata(map[string]any{"created_at": "2026-01-01T00:00:00+00:00", "tags": []any{"t"}}, pb, sdkNow),
	} {
		if errs := item.Validate(asSent(t, md)); len(errs) > 0 {
			t.Errorf("%s: item sdk metadata invalid: %v\n%v", name, errs, md)
		}
	}
	kept := ItemSDKMetadata(map[string]any{"created_at": "2026-01-01T00:00:00+00:00"}, nil, sdkNow)
	if kept["created_at"] != "2026-01-01T00:00:00+00:00" || kept["updated_at"] != "2026-12-07T05:00:00+00:00" || kept["schema_version"] != "0.0.3" {
		t.Errorf("existing item sdk: %v", kept)
	}
	if errs := item.Validate(asSent(t, map[string]any{"schema_version": "0.0.3", "created_at": "x", "updated_at": "x", "extra": 1})); len(errs) == 0 {
		t.Error("item schema took an unknown key")
	}
	if got := UnknownSDKKeys(map[string]any{"platform_bucket": 1, "zeta": 1, "alpha": 1}, true); !cmp.Equal(got, []string{"alpha", "zeta"}) {
		t.Errorf("UnknownSDKKeys item = %v", got)
	}
	if got := UnknownSDKKeys(map[string]any{"note": 1, "platform_bucket": 1}, false); !cmp.Equal(got, []string{"platform_bucket"}) {
		t.Errorf("UnknownSDKKeys run = %v", got)
	}
}

func TestNoteFilter(t *testing.T) {
	if got := NoteFilter(`a"b\d`); got != `$.sdk.note ? (@ like_regex "a\"b\\d" flag "i")` {
		t.Errorf("NoteFilter = %s", got)
	}
	if n, ok := SDKNote(map[string]any{"sdk": map[string]any{"note": "x"}}); n != "x" || !ok {
		t.Errorf("SDKNote = %q %v", n, ok)
	}
	if _, ok := SDKNote(map[string]any{"sdk": map[string]any{}}); ok {
		t.Error("SDKNote found a note in none")
	}
}

// FuzzRunOptionsCheck: any option text is checked without a panic, and a
// date the parser takes has a zone and comes back as the same instant.
func FuzzRunOptionsCheck(f *testing.F) {
	for _, s := range []string{"2026-12-08T10:00:00Z", "2026-12-08 10:00:00.5+01:00", "2026-12-08", "2026-12-08T10:00", "x", ""} {
		f.Add(s, s, "L4", 1)
	}
	f.Fuzz(func(t *testing.T, due, deadline, gpu string, n int) {
		p := DefaultPipeline()
		p.GPU.GPUType, p.GPU.MaxGPUsPerSlide = gpu, n
		o := RunOptions{DueDate: due, Deadline: deadline, Tags: []string{gpu}, Pipeline: p}
		ps := o.Check(sdkNow)
		if tm, err := ParseISO8601(due); err == nil {
			if s := o.Scheduling(); s == nil || s.DueDate == nil || !s.DueDate.Equal(tm) {
				t.Fatalf("Scheduling lost the due date %q", due)
			}
		}
		if len(ps) == 0 {
			if gpu != "L4" && gpu != "A100" || n < 1 || n > 8 {
				t.Fatalf("gpu %q x %d passed", gpu, n)
			}
			_ = RunSDKMetadata(o, SDKContext{Now: sdkNow})
		}
	})
}
