module github.com/acme/server

go 1.21

toolchain go1.21.5

require (
	github.com/gin-gonic/gin v1.9.1
	github.com/Azure/azure-sdk-for-go/sdk/azcore v1.9.0 // indirect
	golang.org/x/net v0.17.0 // indirect; used by gin
	"github.com/old/lib" v1.0.0
	github.com/acme/shared v0.0.0-20240101000000-0123456789ab
	github.com/bad/version v1.2.0
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

require github.com/pkg/errors v0.9.1

replace github.com/old/lib => github.com/new/lib v1.1.0

replace (
	github.com/acme/shared => ../shared // local copy
	golang.org/x/net v0.16.0 => golang.org/x/net v0.15.0
)

exclude github.com/bad/version v1.2.0

retract [v0.1.0, v0.1.5]
