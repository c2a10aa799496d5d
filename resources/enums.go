package resources

// The spec's enums are named string types: a value the client does not know
// (a newer API) is kept as it came instead of failing the decode.

// RunState is the spec's RunState.
type RunState string

// RunState values.
const (
	RunPending    RunState = "PENDING"
	RunProcessing RunState = "PROCESSING"
	RunTerminated RunState = "TERMINATED"
)

// RunTerminationReason is the spec's RunTerminationReason.
type RunTerminationReason string

// RunTerminationReason values.
const (
	RunAllItemsProcessed RunTerminationReason = "ALL_ITEMS_PROCESSED"
	RunCanceledBySystem  RunTerminationReason = "CANCELED_BY_SYSTEM"
	RunCanceledByUser    RunTerminationReason = "CANCELED_BY_USER"
)

// RunOutput is the spec's RunOutput.
type RunOutput string

// RunOutput values.
const (
	RunOutputNone    RunOutput = "NONE"
	RunOutputPartial RunOutput = "PARTIAL"
	RunOutputFull    RunOutput = "FULL"
)

// ItemState is the spec's ItemState.
type ItemState string

// ItemState values.
const (
	ItemPending    ItemState = "PENDING"
	ItemProcessing ItemState = "PROCESSING"
	ItemTerminated ItemState = "TERMINATED"
)

// ItemTerminationReason is the spec's ItemTerminationReason.
type ItemTerminationReason string

// ItemTerminationReason values.
const (
	ItemSucceeded   ItemTerminationReason = "SUCCEEDED"
	ItemUserError   ItemTerminationReason = "USER_ERROR"
	ItemSystemError ItemTerminationReason = "SYSTEM_ERROR"
	ItemSkipped     ItemTerminationReason = "SKIPPED"
)

// ItemOutput is the spec's ItemOutput.
type ItemOutput string

// ItemOutput values.
const (
	ItemOutputNone ItemOutput = "NONE"
	ItemOutputFull ItemOutput = "FULL"
)

// ArtifactState is the spec's ArtifactState.
type ArtifactState string

// ArtifactState values.
const (
	ArtifactPending    ArtifactState = "PENDING"
	ArtifactProcessing ArtifactState = "PROCESSING"
	ArtifactTerminated ArtifactState = "TERMINATED"
)

// ArtifactTerminationReason is the spec's ArtifactTerminationReason.
type ArtifactTerminationReason string

// ArtifactTerminationReason values.
const (
	ArtifactSucceeded   ArtifactTerminationReason = "SUCCEEDED"
	ArtifactUserError   ArtifactTerminationReason = "USER_ERROR"
	ArtifactSystemError ArtifactTerminationReason = "SYSTEM_ERROR"
	ArtifactSkipped     ArtifactTerminationReason = "SKIPPED"
)

// ArtifactOutput is the spec's ArtifactOutput.
type ArtifactOutput string

// ArtifactOutput values.
const (
	ArtifactOutputNone            ArtifactOutput = "NONE"
	ArtifactOutputAvailable       ArtifactOutput = "AVAILABLE"
	ArtifactOutputDeletedByUser   ArtifactOutput = "DELETED_BY_USER"
	ArtifactOutputDeletedBySystem ArtifactOutput = "DELETED_BY_SYSTEM"
)

// OutputArtifactScope is the spec's OutputArtifactScope.
type OutputArtifactScope string

// OutputArtifactScope values.
const (
	ScopeItem   OutputArtifactScope = "ITEM"
	ScopeGlobal OutputArtifactScope = "GLOBAL"
)

// OutputArtifactVisibility is the spec's OutputArtifactVisibility.
type OutputArtifactVisibility string

// OutputArtifactVisibility values.
const (
	VisibilityInternal OutputArtifactVisibility = "INTERNAL"
	VisibilityExternal OutputArtifactVisibility = "EXTERNAL"
)
