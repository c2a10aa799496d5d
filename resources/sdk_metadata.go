package resources

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Schema versions of the custom_metadata.sdk blocks the Python SDK writes on
// runs and on items (its SDK_METADATA_SCHEMA_VERSION and
// ITEM_SDK_METADATA_SCHEMA_VERSION).
const (
	RunSDKMetadataSchemaVersion  = "0.0.6"
	ItemSDKMetadataSchemaVersion = "0.0.3"
)

// ValidationCaseTagPrefix starts a tag that asks the validation application
// for one behaviour; the rest must name one of ValidationCases.
const ValidationCaseTagPrefix = "__aignx_validation_case:"

// ValidationCases returns the values a validation-case tag may name.
func ValidationCases() []string {
	return []string{"send_succeeded", "send_recoverable_error", "send_system_error", "send_user_error", "do_nothing"}
}

// GPUTypes, GPUProvisioningModes and CPUProvisioningModes return the values
// the pipeline options take.
func GPUTypes() []string             { return []string{"L4", "A100"} }
func GPUProvisioningModes() []string { return []string{"SPOT", "ON_DEMAND", "FLEX_START"} }
func CPUProvisioningModes() []string { return []string{"SPOT", "ON_DEMAND"} }

// The pipeline defaults of the Python SDK (its _constants.py): its CLI sends
// them even when no option is given.
const (
	DefaultGPUType        = "A100"
	DefaultProvisioning   = "SPOT"
	DefaultMaxGPUs        = 1
	DefaultNodeTimeout    = 30
	DefaultFlexStartLimit = 720
)

// RunOptions are the run options of the Python SDK's `run submit`: a note and
// tags (custom_metadata.sdk), scheduling (the request's top-level scheduling),
// onboarding (sdk.workflow) and the pipeline (sdk.pipeline).
type RunOptions struct {
	Note string
	Tags []string
	// DueDate and Deadline are ISO 8601 date-times with a zone, as given;
	// "" means none.
	DueDate, Deadline         string
	OnboardToAignosticsPortal bool
	// Pipeline is written as given (nil: no pipeline block).
	Pipeline *PipelineConfig
}

// PipelineConfig is sdk.pipeline: the compute resources asked for.
type PipelineConfig struct {
	GPU                           GPUConfig `json:"gpu"`
	CPU                           CPUConfig `json:"cpu"`
	NodeAcquisitionTimeoutMinutes int       `json:"node_acquisition_timeout_minutes"`
}

// GPUConfig is sdk.pipeline.gpu. FlexStartMaxRunDurationMinutes is written
// only with provisioning mode FLEX_START.
type GPUConfig struct {
	GPUType                        string `json:"gpu_type"`
	ProvisioningMode               string `json:"provisioning_mode"`
	MaxGPUsPerSlide                int    `json:"max_gpus_per_slide"`
	FlexStartMaxRunDurationMinutes int    `json:"flex_start_max_run_duration_minutes,omitempty"`
}

// CPUConfig is sdk.pipeline.cpu.
type CPUConfig struct {
	ProvisioningMode string `json:"provisioning_mode"`
}

// DefaultPipeline is the pipeline the Python SDK's CLI sends when no option
// is given.
func DefaultPipeline() *PipelineConfig {
	return &PipelineConfig{
		GPU:                           GPUConfig{GPUType: DefaultGPUType, ProvisioningMode: DefaultProvisioning, MaxGPUsPerSlide: DefaultMaxGPUs},
		CPU:                           CPUConfig{ProvisioningMode: DefaultProvisioning},
		NodeAcquisitionTimeoutMinutes: DefaultNodeTimeout,
	}
}

// OptionProblem is one bad run option: the option's name and what is wrong.
type OptionProblem struct {
	Option  string `json:"option"`
	Message string `json:"message"`
}

func (p OptionProblem) Error() string { return p.Option + ": " + p.Message }

// Check checks the options as the Python SDK does before it sends anything
// (values, ranges, ISO 8601 with a zone, in the future at now, due date
// before deadline, validation-case tags) and returns every problem. Option
// names are the command line's.
func (o RunOptions) Check(now time.Time) []OptionProblem {
	var ps []OptionProblem
	add := func(opt, format string, args ...any) {
		ps = append(ps, OptionProblem{Option: opt, Message: fmt.Sprintf(format, args...)})
	}
	for _, t := range o.Tags { // a tag given twice is one tag (a set, as in the SDK)
		switch {
		case strings.TrimSpace(t) == "":
			add("--tags", "a tag is empty")
		case strings.HasPrefix(t, ValidationCaseTagPrefix) && !slices.Contains(ValidationCases(), strings.TrimPrefix(t, ValidationCaseTagPrefix)):
			add("--tags", "invalid validation case %q: must be one of %s", strings.TrimPrefix(t, ValidationCaseTagPrefix), strings.Join(ValidationCases(), ", "))
		}
	}
	due, dueOK := checkFuture(o.DueDate, "--due-date", now, add)
	dl, dlOK := checkFuture(o.Deadline, "--deadline", now, add)
	if dueOK && dlOK && !due.Before(dl) {
		add("--due-date", "%s must be before the deadline %s", o.DueDate, o.Deadline)
	}
	if p := o.Pipeline; p != nil {
		if !slices.Contains(GPUTypes(), p.GPU.GPUType) {
			add("--gpu-type", "%q: must be one of %s", p.GPU.GPUType, strings.Join(GPUTypes(), ", "))
		}
		if !slices.Contains(GPUProvisioningModes(), p.GPU.ProvisioningMode) {
			add("--gpu-provisioning-mode", "%q: must be one of %s", p.GPU.ProvisioningMode, strings.Join(GPUProvisioningModes(), ", "))
		}
		if n := p.GPU.MaxGPUsPerSlide; n < 1 || n > 8 {
			add("--max-gpus-per-slide", "%d: must be between 1 and 8", n)
		}
		if n := p.GPU.FlexStartMaxRunDurationMinutes; n != 0 {
			if n < 1 || n > 3600 {
				add("--flex-start-max-run-duration-minutes", "%d: must be between 1 and 3600", n)
			}
			if p.GPU.ProvisioningMode != "FLEX_START" {
				add("--flex-start-max-run-duration-minutes", "only with --gpu-provisioning-mode FLEX_START")
			}
		}
		if !slices.Contains(CPUProvisioningModes(), p.CPU.ProvisioningMode) {
			add("--cpu-provisioning-mode", "%q: must be one of %s", p.CPU.ProvisioningMode, strings.Join(CPUProvisioningModes(), ", "))
		}
		if n := p.NodeAcquisitionTimeoutMinutes; n < 1 || n > 3600 {
			add("--node-acquisition-timeout-minutes", "%d: must be between 1 and 3600", n)
		}
	}
	return ps
}

// checkFuture parses an ISO 8601 date-time with a zone that must lie after now.
func checkFuture(s, opt string, now time.Time, add func(string, string, ...any)) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := ParseISO8601(s)
	if err != nil {
		add(opt, "%q: %v", s, err)
		return time.Time{}, false
	}
	if !t.After(now) {
		add(opt, "%s is not in the future", s)
		return t, false
	}
	return t, true
}

// ParseISO8601 parses an ISO 8601 date-time that carries a zone ("Z" or an
// offset), such as 2026-03-04T23:59:59Z or 2026-03-04T23:59:59+01:00.
func ParseISO8601(s string) (time.Time, error) {
	// the forms with a zone Python's datetime.fromisoformat reads, 'T' or ' '
	for _, l := range []string{"2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04Z07:00", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04Z07:00"} {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	for _, l := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if _, err := time.Parse(l, s); err == nil {
			return time.Time{}, fmt.Errorf("has no time zone (add Z or an offset such as +01:00)")
		}
	}
	return time.Time{}, fmt.Errorf("not an ISO 8601 date-time such as 2026-03-04T23:59:59Z")
}

// Scheduling is the request's scheduling for the options' due date and
// deadline (nil when neither is set); Check comes first.
func (o RunOptions) Scheduling() *SchedulingRequest {
	if o.DueDate == "" && o.Deadline == "" {
		return nil
	}
	s := &SchedulingRequest{}
	if t, err := ParseISO8601(o.DueDate); err == nil {
		s.DueDate = &t
	}
	if t, err := ParseISO8601(o.Deadline); err == nil {
		s.Deadline = &t
	}
	return s
}

// SDKContext is what the run's SDK metadata records about the submission
// beyond the options: when, through which interface, by whom.
type SDKContext struct {
	Now time.Time
	// Interface is "cli" for the command line, "script" for library use.
	Interface string
	UserAgent string
	// Me is the caller (from /v1/me); nil leaves sdk.user out, as the
	// Python SDK does when /v1/me fails.
	Me *MeReadResponse
	// Getenv reads the environment for the initiator (AIGNOSTICS_BRIDGE_VERSION,
	// PYTEST_CURRENT_TEST) and the CI block (GITHUB_*, RUNNER_*, PYTEST_*);
	// nil reads nothing.
	Getenv func(string) string
}

// sdkTime is the Python SDK's timestamp: UTC, seconds, "+00:00".
func sdkTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05") + "+00:00" }

// RunSDKMetadata builds custom_metadata.sdk for a run as the Python SDK's CLI
// writes it (schema 0.0.6): note, tags (sorted), workflow (only when
// onboarding), scheduling (as given; the SDK now sends it only as the
// request's scheduling, older ones kept it here), pipeline, then
// schema_version, created_at, updated_at, submission, user_agent, user and ci.
func RunSDKMetadata(o RunOptions, c SDKContext) map[string]any {
	getenv := c.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	sdk := map[string]any{}
	if o.Note != "" {
		sdk["note"] = o.Note
	}
	if len(o.Tags) > 0 {
		tags := slices.Clone(o.Tags)
		slices.Sort(tags)
		tags = slices.Compact(tags)
		list := make([]any, len(tags))
		for i, t := range tags {
			list[i] = t
		}
		sdk["tags"] = list
	}
	if o.OnboardToAignosticsPortal {
		sdk["workflow"] = map[string]any{"onboard_to_aignostics_portal": true}
	}
	// The request's scheduling is what the platform acts on; sdk.scheduling
	// (as given) is where SDKs before the API's scheduling kept it, and
	// where readers still look when the run has none (DESIGN lists it).
	if o.DueDate != "" || o.Deadline != "" {
		s := map[string]any{}
		if o.DueDate != "" {
			s["due_date"] = o.DueDate
		}
		if o.Deadline != "" {
			s["deadline"] = o.Deadline
		}
		sdk["scheduling"] = s
	}
	if p := o.Pipeline; p != nil {
		gpu := map[string]any{"gpu_type": p.GPU.GPUType, "provisioning_mode": p.GPU.ProvisioningMode, "max_gpus_per_slide": p.GPU.MaxGPUsPerSlide}
		if p.GPU.ProvisioningMode == "FLEX_START" {
			n := p.GPU.FlexStartMaxRunDurationMinutes
			if n == 0 {
				n = DefaultFlexStartLimit
			}
			gpu["flex_start_max_run_duration_minutes"] = n
		}
		sdk["pipeline"] = map[string]any{
			"gpu":                              gpu,
			"cpu":                              map[string]any{"provisioning_mode": p.CPU.ProvisioningMode},
			"node_acquisition_timeout_minutes": p.NodeAcquisitionTimeoutMinutes,
		}
	}
	now := sdkTime(c.Now)
	initiator := "user"
	if getenv("AIGNOSTICS_BRIDGE_VERSION") != "" {
		initiator = "bridge"
	} else if getenv("PYTEST_CURRENT_TEST") != "" {
		initiator = "test"
	}
	iface := c.Interface
	if iface == "" {
		iface = "script"
	}
	sdk["schema_version"] = RunSDKMetadataSchemaVersion
	sdk["created_at"] = now
	sdk["updated_at"] = now
	sdk["submission"] = map[string]any{"date": now, "interface": iface, "initiator": initiator}
	sdk["user_agent"] = c.UserAgent
	if me := c.Me; me != nil && me.User.Email != nil && me.Organization.Name != nil {
		sdk["user"] = map[string]any{
			"organization_id":   me.Organization.ID,
			"organization_name": *me.Organization.Name,
			"user_email":        *me.User.Email,
			"user_id":           me.User.ID,
		}
	}
	ci := map[string]any{}
	if id := getenv("GITHUB_RUN_ID"); id != "" {
		server := getenv("GITHUB_SERVER_URL")
		if server == "" {
			server = "https://github.com"
		}
		repo := getenv("GITHUB_REPOSITORY")
		opt := func(k string) any {
			if v := getenv(k); v != "" {
				return v
			}
			return nil
		}
		ci["github"] = map[string]any{
			"action": opt("GITHUB_ACTION"), "job": opt("GITHUB_JOB"), "ref": opt("GITHUB_REF"),
			"ref_name": opt("GITHUB_REF_NAME"), "ref_type": opt("GITHUB_REF_TYPE"), "repository": repo,
			"run_attempt": opt("GITHUB_RUN_ATTEMPT"), "run_id": id, "run_number": opt("GITHUB_RUN_NUMBER"),
			"run_url":     server + "/" + repo + "/actions/runs/" + id,
			"runner_arch": opt("RUNNER_ARCH"), "runner_os": opt("RUNNER_OS"), "sha": opt("GITHUB_SHA"),
			"workflow": opt("GITHUB_WORKFLOW"), "workflow_ref": opt("GITHUB_WORKFLOW_REF"),
		}
	}
	if t := getenv("PYTEST_CURRENT_TEST"); t != "" {
		p := map[string]any{"current_test": t}
		if m := getenv("PYTEST_MARKERS"); m != "" {
			var ms []any
			for _, s := range strings.Split(m, ",") {
				ms = append(ms, s)
			}
			p["markers"] = ms
		}
		ci["pytest"] = p
	}
	if len(ci) > 0 {
		sdk["ci"] = ci
	}
	return sdk
}

// PlatformBucket is an item's sdk.platform_bucket: where its slide lies in the
// organization's bucket and the signed URL the platform reads it from.
type PlatformBucket struct {
	BucketName        string
	ObjectKey         string
	SignedDownloadURL string
}

// UnknownSDKKeys returns the keys of an sdk block that the run schema
// (0.0.6) or, with item, the item schema (0.0.3) does not allow, sorted; the Python SDK refuses such items.
func UnknownSDKKeys(sdk map[string]any, item bool) []string {
	// the keys the schemas (run 0.0.6, item 0.0.3) allow under sdk
	allowed := []string{"schema_version", "created_at", "updated_at", "tags", "submission", "user_agent", "user", "ci", "note", "workflow", "scheduling", "pipeline"}
	if item {
		allowed = []string{"schema_version", "created_at", "updated_at", "tags", "platform_bucket"}
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(sdk)) {
		if !slices.Contains(allowed, k) {
			out = append(out, k)
		}
	}
	return out
}

// ItemSDKMetadata returns an item's custom_metadata.sdk as the Python SDK
// writes it (schema 0.0.3): the existing block's keys kept (created_at too),
// schema_version and updated_at set, platform_bucket set when pb is given.
func ItemSDKMetadata(existing map[string]any, pb *PlatformBucket, now time.Time) map[string]any {
	sdk := maps.Clone(existing)
	if sdk == nil {
		sdk = map[string]any{}
	}
	ts := sdkTime(now)
	if pb != nil {
		sdk["platform_bucket"] = map[string]any{"bucket_name": pb.BucketName, "object_key": pb.ObjectKey, "signed_download_url": pb.SignedDownloadURL}
	}
	sdk["schema_version"] = ItemSDKMetadataSchemaVersion
	if _, ok := sdk["created_at"]; !ok {
		sdk["created_at"] = ts
	}
	sdk["updated_at"] = ts
	return sdk
}
