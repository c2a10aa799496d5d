package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/resources"
)

// RunOptionFlags are the run options of `runs create`, `runs submit` and
// `runs execute`, with the Python SDK's names, defaults and checks. They end
// up in the request's scheduling and in custom_metadata.sdk.
type RunOptionFlags struct {
	Note                           string   `name:"note" help:"A note on the run (custom_metadata.sdk.note; runs list --note-regex finds it)." placeholder:"TEXT"`
	Tags                           []string `name:"tags" sep:"," help:"Tags of the run, comma separated (custom_metadata.sdk.tags; runs list --tags finds them)." placeholder:"TAG"`
	DueDate                        string   `name:"due-date" help:"Requested completion time, ISO 8601 with a zone, in the future (e.g. 2026-03-04T23:59:59Z)." placeholder:"TIME"`
	Deadline                       string   `name:"deadline" help:"Hard deadline after which the run may be cancelled, ISO 8601 with a zone, after --due-date." placeholder:"TIME"`
	GPUType                        string   `name:"gpu-type" help:"GPU type: L4 or A100." default:"A100" placeholder:"TYPE"`
	GPUProvisioningMode            string   `name:"gpu-provisioning-mode" help:"GPU provisioning: SPOT, ON_DEMAND or FLEX_START." default:"SPOT" placeholder:"MODE"`
	MaxGPUsPerSlide                int      `name:"max-gpus-per-slide" help:"GPUs per slide at most, 1 to 8." default:"1" placeholder:"N"`
	FlexStartMaxRunDurationMinutes int      `name:"flex-start-max-run-duration-minutes" help:"With FLEX_START: longest run duration in minutes, 1 to 3600 (0: 720)." default:"0" placeholder:"N"`
	CPUProvisioningMode            string   `name:"cpu-provisioning-mode" help:"CPU provisioning: SPOT or ON_DEMAND." default:"SPOT" placeholder:"MODE"`
	NodeAcquisitionTimeoutMinutes  int      `name:"node-acquisition-timeout-minutes" help:"Minutes to wait for compute nodes, 1 to 3600." default:"30" placeholder:"N"`
	OnboardToAignosticsPortal      bool     `name:"onboard-to-aignostics-portal" help:"Onboard the results to the Aignostics Portal."`
	NoSDKMetadata                  bool     `name:"no-sdk-metadata" help:"Write no custom_metadata.sdk (the block the Python SDK writes: note, tags, pipeline, submitter)."`
}

// options checks every run option as the Python SDK does, before anything is
// sent, and reports all problems at once (exit 2). customMetadata is the
// run's --custom-metadata, which may not carry an sdk block we would write.
func (r *RunOptionFlags) options(f *Factory, customMetadata map[string]any) (resources.RunOptions, error) {
	o := resources.RunOptions{
		Note:                      r.Note,
		DueDate:                   r.DueDate,
		Deadline:                  r.Deadline,
		OnboardToAignosticsPortal: r.OnboardToAignosticsPortal,
		Pipeline: &resources.PipelineConfig{
			GPU: resources.GPUConfig{
				GPUType:                        r.GPUType,
				ProvisioningMode:               r.GPUProvisioningMode,
				MaxGPUsPerSlide:                r.MaxGPUsPerSlide,
				FlexStartMaxRunDurationMinutes: r.FlexStartMaxRunDurationMinutes,
			},
			CPU:                           resources.CPUConfig{ProvisioningMode: r.CPUProvisioningMode},
			NodeAcquisitionTimeoutMinutes: r.NodeAcquisitionTimeoutMinutes,
		},
	}
	for _, t := range r.Tags {
		o.Tags = append(o.Tags, strings.TrimSpace(t))
	}
	ps := o.Check(f.Now())
	if r.NoSDKMetadata {
		// Without the sdk block these options would go nowhere.
		def := resources.DefaultPipeline()
		for _, c := range []struct {
			set  bool
			name string
		}{
			{r.Note != "", "--note"},
			{len(r.Tags) > 0, "--tags"},
			{r.OnboardToAignosticsPortal, "--onboard-to-aignostics-portal"},
			{r.GPUType != def.GPU.GPUType, "--gpu-type"},
			{r.GPUProvisioningMode != def.GPU.ProvisioningMode, "--gpu-provisioning-mode"},
			{r.MaxGPUsPerSlide != def.GPU.MaxGPUsPerSlide, "--max-gpus-per-slide"},
			{r.FlexStartMaxRunDurationMinutes != 0, "--flex-start-max-run-duration-minutes"},
			{r.CPUProvisioningMode != def.CPU.ProvisioningMode, "--cpu-provisioning-mode"},
			{r.NodeAcquisitionTimeoutMinutes != def.NodeAcquisitionTimeoutMinutes, "--node-acquisition-timeout-minutes"},
		} {
			if c.set {
				ps = append(ps, resources.OptionProblem{Option: c.name, Message: "is written into custom_metadata.sdk, which --no-sdk-metadata leaves out"})
			}
		}
	} else if _, ok := customMetadata["sdk"]; ok {
		ps = append(ps, resources.OptionProblem{Option: "--custom-metadata", Message: `key "sdk" is written by aignostics (the Python SDK's block); give --no-sdk-metadata to send your own`})
	}
	if len(ps) > 0 {
		msgs := make([]string, len(ps))
		for i, p := range ps {
			msgs[i] = p.Error()
		}
		head := fmt.Sprintf("%d problem(s) with the run options; nothing was sent", len(ps))
		if f.Output().Format() == FormatText {
			for _, m := range msgs {
				f.Output().Notef("  %s", m)
			}
			return o, cliError(KindUsage, fmt.Errorf("%s", head))
		}
		return o, cliError(KindUsage, fmt.Errorf("%s: %s", head, strings.Join(msgs, "; ")))
	}
	return o, nil
}

// apply puts the options into the request: scheduling always, and unless
// --no-sdk-metadata the run's and the items' custom_metadata.sdk as the
// Python SDK writes them. buckets holds, per item, where its slide lies in
// the organization's bucket (nil entries, or a nil slice, for none). The
// caller (from /v1/me) is recorded when it can be read, as in the SDK.
func (r *RunOptionFlags) apply(ctx context.Context, f *Factory, cl *resources.Client, o resources.RunOptions, req *resources.RunCreationRequest, buckets []*resources.PlatformBucket) error {
	req.Scheduling = o.Scheduling()
	if r.NoSDKMetadata {
		return nil
	}
	var ps []resources.Problem
	for i, it := range req.Items {
		existing, _ := it.CustomMetadata["sdk"].(map[string]any)
		if _, ok := it.CustomMetadata["sdk"]; ok && existing == nil {
			ps = append(ps, resources.Problem{Index: i, ExternalID: it.ExternalID, Message: "custom_metadata.sdk must be an object"})
			continue
		}
		if bad := resources.UnknownSDKKeys(existing, true); len(bad) > 0 {
			ps = append(ps, resources.Problem{Index: i, ExternalID: it.ExternalID, Message: fmt.Sprintf("custom_metadata.sdk has keys the SDK's item schema does not allow: %s (give --no-sdk-metadata to send it as is)", strings.Join(bad, ", "))})
		}
	}
	if len(ps) > 0 {
		return reportProblems(f, fmt.Sprintf("%d problem(s) with the items' custom_metadata.sdk; nothing was sent", len(ps)), ps)
	}
	sc := resources.SDKContext{
		Now:       f.Now(),
		Interface: "cli",
		UserAgent: httpx.DefaultUserAgent(f.Version),
		Getenv:    func(k string) string { v, _ := f.Getenv(k); return v },
	}
	if me, err := cl.Me(ctx); err == nil {
		sc.Me = &me
	} else {
		f.Debugf("sdk metadata: no user block: %v", err)
	}
	if req.CustomMetadata == nil {
		req.CustomMetadata = map[string]any{}
	}
	req.CustomMetadata["sdk"] = resources.RunSDKMetadata(o, sc)
	for i := range req.Items {
		it := &req.Items[i]
		existing, _ := it.CustomMetadata["sdk"].(map[string]any)
		var pb *resources.PlatformBucket
		if i < len(buckets) {
			pb = buckets[i]
		}
		md := make(map[string]any, len(it.CustomMetadata)+1)
		for k, v := range it.CustomMetadata {
			md[k] = v
		}
		md["sdk"] = resources.ItemSDKMetadata(existing, pb, sc.Now)
		it.CustomMetadata = md
	}
	return nil
}
