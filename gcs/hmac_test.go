package gcs

import (
	"encoding/hex"
	"testing"
)

// The derivation is S3's with other constants; AWS publishes an example for its
// constants (docs.aws.amazon.com "Examples of how to derive a signing key").
func TestSigningKeyAWSExample(t *testing.T) {
	got := hex.EncodeToString(signingKey("AWS4", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam", "aws4_request"))
	if want := "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"; got != want {
		t.Fatalf("signing key = %s, want %s", got, want)
	}
}

// AWS SigV4 test suite "get-vanilla": the whole chain from string to sign to signature.
func TestHMACSignatureAWSGetVanilla(t *testing.T) {
	sts := "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
	key := signingKey("AWS4", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "service", "aws4_request")
	got := hex.EncodeToString(hmacSHA256(key, sts))
	if want := "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"; got != want {
		t.Fatalf("signature = %s, want %s", got, want)
	}
	canon := "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if got := stringToSign("AWS4-HMAC-SHA256", "20150830T123600Z", "20150830/us-east-1/service/aws4_request", canon); got != sts {
		t.Fatalf("string to sign:\n%s\nwant:\n%s", got, sts)
	}
}
