package resources

import "time"

// InputArtifactCreationRequest is the spec's InputArtifactCreationRequest: one
// input of an item (a slide) with its signed download URL and metadata.
type InputArtifactCreationRequest struct {
	Name        string         `json:"name"`
	DownloadURL string         `json:"download_url"`
	Metadata    map[string]any `json:"metadata"`
}

// ItemCreationRequest is the spec's ItemCreationRequest: one item of a run.
type ItemCreationRequest struct {
	ExternalID     string                         `json:"external_id"`
	CustomMetadata map[string]any                 `json:"custom_metadata,omitempty"`
	InputArtifacts []InputArtifactCreationRequest `json:"input_artifacts"`
}

// SchedulingRequest is the spec's SchedulingRequest.
type SchedulingRequest struct {
	DueDate  *time.Time `json:"due_date,omitempty"`
	Deadline *time.Time `json:"deadline,omitempty"`
}

// RunCreationRequest is the spec's RunCreationRequest, the body of POST /v1/runs.
type RunCreationRequest struct {
	ApplicationID   string                `json:"application_id"`
	VersionNumber   *string               `json:"version_number,omitempty"`
	CustomMetadata  map[string]any        `json:"custom_metadata,omitempty"`
	Scheduling      *SchedulingRequest    `json:"scheduling,omitempty"`
	CallbackContext map[string]any        `json:"callback_context,omitempty"`
	Items           []ItemCreationRequest `json:"items"`
}

// RunCreationResponse is the spec's RunCreationResponse.
type RunCreationResponse struct {
	RunID string `json:"run_id"`
}

// RunItemStatistics is the spec's RunItemStatistics: item counts of a run.
type RunItemStatistics struct {
	ItemCount            int `json:"item_count"`
	ItemPendingCount     int `json:"item_pending_count"`
	ItemProcessingCount  int `json:"item_processing_count"`
	ItemUserErrorCount   int `json:"item_user_error_count"`
	ItemSystemErrorCount int `json:"item_system_error_count"`
	ItemSkippedCount     int `json:"item_skipped_count"`
	ItemSucceededCount   int `json:"item_succeeded_count"`
}

// SchedulingResponse is the spec's SchedulingResponse.
type SchedulingResponse struct {
	DueDate  *time.Time `json:"due_date,omitempty"`
	Deadline *time.Time `json:"deadline,omitempty"`
}

// RunReadResponse is the spec's RunReadResponse: one run.
type RunReadResponse struct {
	RunID                     string                `json:"run_id"`
	ApplicationID             string                `json:"application_id"`
	VersionNumber             string                `json:"version_number"`
	State                     RunState              `json:"state"`
	Output                    RunOutput             `json:"output"`
	TerminationReason         *RunTerminationReason `json:"termination_reason"`
	ErrorCode                 *string               `json:"error_code"`
	ErrorMessage              *string               `json:"error_message"`
	Statistics                RunItemStatistics     `json:"statistics"`
	CustomMetadata            map[string]any        `json:"custom_metadata,omitempty"`
	CustomMetadataChecksum    *string               `json:"custom_metadata_checksum,omitempty"`
	SubmittedAt               time.Time             `json:"submitted_at"`
	SubmittedBy               string                `json:"submitted_by"`
	OrganizationID            *string               `json:"organization_id,omitempty"`
	TerminatedAt              *time.Time            `json:"terminated_at,omitempty"`
	NumPrecedingItemsOrg      *int                  `json:"num_preceding_items_org,omitempty"`
	NumPrecedingItemsPlatform *int                  `json:"num_preceding_items_platform,omitempty"`
	Scheduling                *SchedulingResponse   `json:"scheduling,omitempty"`
}

// InputArtifactResultReadResponse is the spec's InputArtifactResultReadResponse.
type InputArtifactResultReadResponse struct {
	InputArtifactID string         `json:"input_artifact_id"`
	Name            string         `json:"name"`
	Metadata        map[string]any `json:"metadata,omitempty"`
	DownloadURL     *string        `json:"download_url,omitempty"`
}

// OutputArtifactResultReadResponse is the spec's OutputArtifactResultReadResponse:
// one output artifact of an item.
type OutputArtifactResultReadResponse struct {
	OutputArtifactID  string                     `json:"output_artifact_id"`
	Name              string                     `json:"name"`
	Metadata          map[string]any             `json:"metadata,omitempty"`
	State             ArtifactState              `json:"state"`
	TerminationReason *ArtifactTerminationReason `json:"termination_reason,omitempty"`
	Output            ArtifactOutput             `json:"output"`
	ErrorCode         *string                    `json:"error_code,omitempty"`
	ErrorMessage      *string                    `json:"error_message,omitempty"`
	// DownloadURL is deprecated by the API; use the artifact's /file endpoint.
	DownloadURL *string `json:"download_url,omitempty"`
}

// ItemResultReadResponse is the spec's ItemResultReadResponse: one item of a
// run with its artifacts.
type ItemResultReadResponse struct {
	ItemID                 string                             `json:"item_id"`
	ExternalID             string                             `json:"external_id"`
	CustomMetadata         map[string]any                     `json:"custom_metadata"`
	CustomMetadataChecksum *string                            `json:"custom_metadata_checksum,omitempty"`
	QueuePositionOrg       *int                               `json:"queue_position_org,omitempty"`
	QueuePositionPlatform  *int                               `json:"queue_position_platform,omitempty"`
	State                  ItemState                          `json:"state"`
	Output                 ItemOutput                         `json:"output"`
	TerminationReason      *ItemTerminationReason             `json:"termination_reason,omitempty"`
	ErrorCode              *string                            `json:"error_code,omitempty"`
	ErrorMessage           *string                            `json:"error_message,omitempty"`
	TerminatedAt           *time.Time                         `json:"terminated_at,omitempty"`
	InputArtifacts         []InputArtifactResultReadResponse  `json:"input_artifacts"`
	OutputArtifacts        []OutputArtifactResultReadResponse `json:"output_artifacts"`
}

// CustomMetadataUpdateRequest is the spec's CustomMetadataUpdateRequest. A
// non-nil checksum makes the update conditional (412 when it is stale).
type CustomMetadataUpdateRequest struct {
	CustomMetadata         map[string]any `json:"custom_metadata"`
	CustomMetadataChecksum *string        `json:"custom_metadata_checksum,omitempty"`
}

// CustomMetadataUpdateResponse is the spec's CustomMetadataUpdateResponse.
type CustomMetadataUpdateResponse struct {
	CustomMetadataChecksum *string `json:"custom_metadata_checksum"`
}
