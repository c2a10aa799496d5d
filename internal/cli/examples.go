package cli

import (
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/alecthomas/kong"
)

// exampler is a command with examples for its help page. Every command
// has one: TestEveryCommandHasExamples fails for a command without, and
// parses each example with the real command tree, so an example that no
// longer works fails too. Examples are command lines without the leading
// "aignostics"; a line starting with "#" is a comment shown above the next
// (after a comment, an example may show another command).
type exampler interface {
	Examples() []string
}

// examplesOf returns the examples of a node's command struct, if any.
func examplesOf(n *kong.Node) []string {
	if n == nil || !n.Target.IsValid() {
		return nil
	}
	v := n.Target
	if v.Kind() != reflect.Pointer && v.CanAddr() {
		v = v.Addr()
	}
	if e, ok := v.Interface().(exampler); ok {
		return e.Examples()
	}
	return nil
}

// helpPrinter is kong's help page followed by the command's examples.
func helpPrinter(options kong.HelpOptions, ctx *kong.Context) error {
	if err := kong.DefaultHelpPrinter(options, ctx); err != nil {
		return err
	}
	n := ctx.Model.Node
	if sel := ctx.Selected(); sel != nil {
		n = sel
	}
	writeExamples(ctx.Stdout, examplesOf(n))
	return nil
}

func writeExamples(w io.Writer, ex []string) {
	if len(ex) == 0 {
		return
	}
	var b strings.Builder
	b.WriteString("\nExamples:\n")
	for _, e := range ex {
		if strings.HasPrefix(e, "#") {
			fmt.Fprintf(&b, "  %s\n", e)
			continue
		}
		fmt.Fprintf(&b, "  $ aignostics %s\n", e)
	}
	_, _ = io.WriteString(w, b.String())
}

// The examples of the commands, in the order of the command tree.

func (*CLI) Examples() []string {
	return []string{
		"platform login",
		"runs create test-app --items items.jsonl",
		"runs watch latest",
		"runs download latest results/",
	}
}

func (*VersionCmd) Examples() []string { return []string{"version", "-o json version"} }
func (*PluginsCmd) Examples() []string { return []string{"plugins list"} }
func (*PluginsListCmd) Examples() []string {
	return []string{"# a plugin is any executable named aignostics-NAME on PATH, run as 'aignostics NAME ...'", "plugins list"}
}

func (*PlatformCmd) Examples() []string {
	return []string{"platform login", "platform whoami", "platform doctor"}
}
func (*PlatformLoginCmd) Examples() []string {
	return []string{"platform login", "platform login --device", "platform login --no-browser --relogin"}
}
func (*PlatformLogoutCmd) Examples() []string {
	return []string{"platform logout", "platform logout --all"}
}
func (*PlatformWhoamiCmd) Examples() []string {
	return []string{"platform whoami", "-o json platform whoami"}
}
func (*PlatformTokenCmd) Examples() []string {
	return []string{
		"platform token",
		"# as a header for curl:",
		"platform token --format json",
		"platform token --format exec-credential",
	}
}
func (*PlatformHealthCmd) Examples() []string {
	return []string{"platform health", "-o json platform health"}
}
func (*PlatformInfoCmd) Examples() []string {
	return []string{"platform info", "--api-root https://platform-staging.aignostics.com platform info"}
}

func (*ApplicationsCmd) Examples() []string {
	return []string{"applications list", "applications describe he-tme"}
}
func (*ApplicationsListCmd) Examples() []string {
	return []string{"applications list", "-o jsonl applications list", "applications list --template '{{.application_id}}'"}
}
func (*ApplicationsDescribeCmd) Examples() []string {
	return []string{"applications describe he-tme", "-o json applications describe test-app"}
}

func (*VersionsCmd) Examples() []string {
	return []string{"versions list he-tme", "versions latest he-tme"}
}
func (*VersionsListCmd) Examples() []string { return []string{"versions list he-tme"} }
func (*VersionsLatestCmd) Examples() []string {
	return []string{"versions latest he-tme", "versions latest test-app --template '{{.version_number}}'"}
}
func (*VersionsDescribeCmd) Examples() []string {
	return []string{"versions describe he-tme 1.0.0", "-o json versions describe test-app 1.1.0"}
}

func (*RunsCmd) Examples() []string {
	return []string{"runs list", "runs watch latest", "run download latest results/"}
}
func (*RunsCreateCmd) Examples() []string {
	return []string{
		"runs create he-tme --items items.jsonl",
		"runs create test-app:1.1.0 --items - --custom-metadata '{\"study\":\"s1\"}'",
		"runs create test-app --items items.jsonl --dry-run",
	}
}
func (*RunsListCmd) Examples() []string {
	return []string{
		"runs list",
		"runs list --application-id he-tme --limit 10",
		"-o wide runs list",
		"runs list --template '{{.run_id}} {{color .state}} {{timeago .submitted_at}}'",
	}
}
func (*RunsDescribeCmd) Examples() []string {
	return []string{"runs describe latest", "runs describe 0d3c2f1a --with-items -o json"}
}
func (*RunsItemsCmd) Examples() []string {
	return []string{"runs items latest", "runs items latest --state TERMINATED --termination-reason USER_ERROR"}
}
func (*RunsResultsCmd) Examples() []string {
	return []string{"runs results latest", "runs results latest --external-id slide-1.svs -o jsonl"}
}
func (*RunsWatchCmd) Examples() []string {
	return []string{"runs watch latest", "runs watch 0d3c2f1a --max-wait 2h", "-o jsonl runs watch latest"}
}
func (*RunsDownloadCmd) Examples() []string {
	return []string{"runs download latest", "runs download latest results/ --wait", "runs download 0d3c2f1a --parallel 8 -o jsonl"}
}
func (*RunsCancelCmd) Examples() []string {
	return []string{"runs cancel latest", "runs cancel --tags nightly --dry-run", "runs cancel --application-id he-tme --yes"}
}
func (*RunsUpdateMetadataCmd) Examples() []string {
	return []string{
		"runs update-metadata latest '{\"study\":\"s2\"}'",
		"runs update-metadata 4f0c2b8e @metadata.json --if-checksum f54fe109",
		"# edit the current metadata with jq and send it back (stdin)",
		"runs describe latest -o json | jq '.custom_metadata + {note: \"checked\"}' | aignostics runs update-metadata latest -",
	}
}
func (*RunsUpdateItemMetadataCmd) Examples() []string {
	return []string{
		"runs update-item-metadata latest slide-1.svs '{\"reviewed\":true}'",
		"runs update-item-metadata 4f0c2b8e slide-1.svs @item.json --if-checksum 0c1d2e3f",
	}
}
func (*RunsSubmitCmd) Examples() []string {
	return []string{
		"runs submit test-app ./slides --tags study-1 --note 'first batch'",
		"runs submit he-tme:1.0.0 ./slides --mapping '.*:staining_method=H&E,tissue=LUNG,disease=LUNG_CANCER'",
		"runs submit he-tme --csv slides.csv --dry-run",
	}
}
func (*RunsExecuteCmd) Examples() []string {
	return []string{
		"runs execute test-app ./slides",
		"runs execute he-tme --csv slides.csv --output-dir results/ --tags nightly",
	}
}
func (*RunsShareCmd) Examples() []string {
	return []string{"runs share latest --organization org_partner", "# then list the run's grants", "runs grants latest"}
}
func (*RunsGrantsCmd) Examples() []string {
	return []string{"runs grants latest", "runs grants 4f0c2b8e -o json"}
}
func (*RunsUnshareCmd) Examples() []string {
	return []string{"runs unshare latest 0b7e5c1d-2a3f-4e6b-8c9d-0e1f2a3b4c5d"}
}
func (*RunsShareTokenCmd) Examples() []string {
	return []string{
		"runs share-token create latest --expires 168h > token.txt",
		"runs share-token list latest",
		"# the recipient reads the run without a login",
		"--share-token TOKEN runs describe 4f0c2b8e-1d2a-4c7e-9b1a-2f3d4e5f6a7b",
	}
}
func (*RunsShareTokenCreateCmd) Examples() []string {
	return []string{"runs share-token create latest --expires 168h > token.txt"}
}
func (*RunsShareTokenListCmd) Examples() []string {
	return []string{"runs share-token list latest", "runs share-token list 4f0c2b8e -o json"}
}
func (*RunsShareTokenRevokeCmd) Examples() []string {
	return []string{"runs share-token revoke latest 0b7e5c1d-2a3f-4e6b-8c9d-0e1f2a3b4c5d"}
}
func (*VersionsDocumentsCmd) Examples() []string {
	return []string{"versions documents he-tme 1.0.0", "versions documents he-tme 1.0.0 -o json"}
}
func (*VersionsDocumentCmd) Examples() []string {
	return []string{
		"versions document he-tme 1.0.0 README.md",
		"versions document he-tme 1.0.0 instructions-for-use.pdf --output-file ifu.pdf",
	}
}
func (*SlidesUploadCmd) Examples() []string {
	return []string{
		"slides upload ./slides",
		"slides upload ./slides -o jsonl --prefix project-x/slides",
		"# scan once, then upload what the CSV lists (its platform_bucket_url column is filled in)",
		"slides scan ./slides --csv slides.csv",
		"slides upload --csv slides.csv",
		"slides upload big.svs --parallel 8 --part-size 64MiB",
	}
}
func (*RunsDeleteArtifactsCmd) Examples() []string {
	return []string{"runs delete-artifacts latest", "runs delete-artifacts 0d3c2f1a --yes"}
}

func (*EmulatorCmd) Examples() []string {
	return []string{
		"emulator",
		"emulator --speed 10 --faults 'api:503@0.1,storage:reset@0.05'",
		"# then, in another terminal:",
		"--api-root http://127.0.0.1:8780 platform login",
	}
}
func (*StorageCmd) Examples() []string { return []string{"storage sign gs://my-bucket/slide.svs"} }
func (*StorageSignCmd) Examples() []string {
	return []string{
		"storage sign gs://my-bucket/slide.svs --expires 7d",
		"storage sign gs://my-bucket/upload.svs --method PUT --credentials sa.json",
		"storage sign gs://org-bucket/slide.svs --hmac",
	}
}
func (*SlidesCmd) Examples() []string { return []string{"slides scan ./slides"} }
func (*SlidesScanCmd) Examples() []string {
	return []string{
		"slides scan ./slides",
		"slides scan ./slides --for he-tme --mapping '.*lung.*:tissue=LUNG' --csv slides.csv",
	}
}
func (*DemoCmd) Examples() []string { return []string{"demo"} }
