package cli

import (
	"maps"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/resources"
)

// maskItem is an item as commands print it: the signatures of the input URLs
// we signed (input_artifacts[].download_url, and the Python SDK's
// custom_metadata.sdk.platform_bucket.signed_download_url) masked, since
// each is a credential on the organization's bucket until it expires.
func maskItem(it resources.ItemResultReadResponse) resources.ItemResultReadResponse {
	if len(it.InputArtifacts) > 0 {
		arts := make([]resources.InputArtifactResultReadResponse, len(it.InputArtifacts))
		for i, a := range it.InputArtifacts {
			if a.DownloadURL != nil {
				u := httpx.Redact(*a.DownloadURL)
				a.DownloadURL = &u
			}
			arts[i] = a
		}
		it.InputArtifacts = arts
	}
	it.CustomMetadata = maskSDKBucket(it.CustomMetadata)
	return it
}

// maskSDKBucket returns custom metadata with sdk.platform_bucket's signed
// URL masked (a copy; md itself is not changed).
func maskSDKBucket(md map[string]any) map[string]any {
	sdk, ok := md["sdk"].(map[string]any)
	if !ok {
		return md
	}
	pb, ok := sdk["platform_bucket"].(map[string]any)
	if !ok {
		return md
	}
	u, ok := pb["signed_download_url"].(string)
	if !ok {
		return md
	}
	md, sdk, pb = maps.Clone(md), maps.Clone(sdk), maps.Clone(pb)
	pb["signed_download_url"] = httpx.Redact(u)
	sdk["platform_bucket"] = pb
	md["sdk"] = sdk
	return md
}
