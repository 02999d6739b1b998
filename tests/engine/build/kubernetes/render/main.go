// A test double in front of the real pulumi-kubernetes provider: every call is forwarded unchanged, except that
// provider configuration swaps the kubeconfig for `renderYamlToDirectory` (the two are exclusive upstream), so
// the real provider checks, diffs and "creates" each object by writing its manifest instead of calling a
// cluster. The kubeconfig the engine sent is kept in the inputs it returns (so state holds it as the engine
// gave it) and its SHA-256 is appended to $IRSA_K8S_RECEIVED, for a test to check what reached the provider.
package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

const service = "/pulumirpc.ResourceProvider/"

type raw struct{}

func (raw) Marshal(v any) ([]byte, error)      { return *(v.(*[]byte)), nil }
func (raw) Unmarshal(data []byte, v any) error { *(v.(*[]byte)) = append([]byte(nil), data...); return nil }
func (raw) Name() string                       { return "proto" }

type proxy struct {
	upstream *grpc.ClientConn
	render   string
}

func main() {
	self, err := os.Executable()
	if err != nil {
		fail(err)
	}
	real := os.Getenv("IRSA_K8S_PROVIDER")
	if real == "" {
		real = filepath.Join(filepath.Dir(self), "pulumi-resource-kubernetes-real")
	}
	render := os.Getenv("IRSA_K8S_RENDER_DIR")
	if render == "" {
		fail(errors.New("IRSA_K8S_RENDER_DIR is not set"))
	}
	port, err := start(real, os.Args[1:])
	if err != nil {
		fail(err)
	}
	conn, err := grpc.NewClient("127.0.0.1:"+port, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(400*1024*1024), grpc.MaxCallSendMsgSize(400*1024*1024)))
	if err != nil {
		fail(err)
	}
	p := &proxy{upstream: conn, render: render}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	server := grpc.NewServer(grpc.ForceServerCodec(raw{}), grpc.UnknownServiceHandler(p.forward),
		grpc.MaxRecvMsgSize(400*1024*1024), grpc.MaxSendMsgSize(400*1024*1024))
	fmt.Printf("%d\n", listener.Addr().(*net.TCPAddr).Port)
	if err := server.Serve(listener); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "kubernetes render proxy (irsa engine tests): %v\n", err)
	os.Exit(1)
}

// start runs the real provider with the engine's arguments and returns the port it announces.
func start(path string, args []string) (string, error) {
	cmd := exec.Command(path, args...)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // it ends with this process
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	lines := bufio.NewReader(out)
	first, err := lines.ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("%s announced no port: %w", path, err)
	}
	go func() { _, _ = io.Copy(os.Stderr, lines) }()
	return strings.TrimSpace(first), nil
}

func (p *proxy) forward(_ any, stream grpc.ServerStream) error {
	method, _ := grpc.MethodFromServerStream(stream)
	ctx := stream.Context()
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		ctx = metadata.NewOutgoingContext(ctx, md)
	}
	var request []byte
	if err := stream.RecvMsg(&request); err != nil {
		return err
	}
	kubeconfig, request, err := p.rewrite(method, request)
	if err != nil {
		return err
	}
	desc := &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}
	upstream, err := p.upstream.NewStream(ctx, desc, method, grpc.ForceCodec(raw{}))
	if err != nil {
		return err
	}
	if err := upstream.SendMsg(&request); err != nil {
		return err
	}
	if err := upstream.CloseSend(); err != nil {
		return err
	}
	if header, err := upstream.Header(); err == nil {
		_ = stream.SetHeader(header)
	}
	for {
		var response []byte
		err := upstream.RecvMsg(&response)
		if errors.Is(err, io.EOF) {
			stream.SetTrailer(upstream.Trailer())
			return nil
		}
		if err != nil {
			return err
		}
		if method == service+"CheckConfig" && kubeconfig != nil {
			if response, err = restoreKubeconfig(response, kubeconfig); err != nil {
				return err
			}
		}
		if err := stream.SendMsg(&response); err != nil {
			return err
		}
	}
}

// rewrite swaps the kubeconfig for the render directory in provider configuration; it returns the kubeconfig.
func (p *proxy) rewrite(method string, request []byte) (*structpb.Value, []byte, error) {
	swap := func(props *structpb.Struct) *structpb.Value {
		if props == nil {
			return nil
		}
		if props.Fields == nil {
			props.Fields = map[string]*structpb.Value{}
		}
		found := props.Fields["kubeconfig"]
		delete(props.Fields, "kubeconfig")
		props.Fields["renderYamlToDirectory"] = structpb.NewStringValue(p.render)
		return found
	}
	switch method {
	case service + "CheckConfig":
		var req pulumirpc.CheckRequest
		if err := proto.Unmarshal(request, &req); err != nil {
			return nil, nil, err
		}
		found := swap(req.News)
		swap(req.Olds)
		out, err := proto.Marshal(&req)
		return found, out, err
	case service + "DiffConfig":
		var req pulumirpc.DiffRequest
		if err := proto.Unmarshal(request, &req); err != nil {
			return nil, nil, err
		}
		swap(req.News)
		swap(req.Olds)
		swap(req.OldInputs)
		out, err := proto.Marshal(&req)
		return nil, out, err
	case service + "Configure":
		var req pulumirpc.ConfigureRequest
		if err := proto.Unmarshal(request, &req); err != nil {
			return nil, nil, err
		}
		record(swap(req.Args))
		for key := range req.Variables {
			if strings.HasSuffix(key, ":kubeconfig") {
				delete(req.Variables, key)
			}
		}
		if req.Variables == nil {
			req.Variables = map[string]string{}
		}
		req.Variables["kubernetes:config:renderYamlToDirectory"] = p.render
		out, err := proto.Marshal(&req)
		return nil, out, err
	}
	return nil, request, nil
}

func restoreKubeconfig(response []byte, kubeconfig *structpb.Value) ([]byte, error) {
	var resp pulumirpc.CheckResponse
	if err := proto.Unmarshal(response, &resp); err != nil {
		return nil, err
	}
	if resp.Inputs != nil {
		delete(resp.Inputs.Fields, "renderYamlToDirectory")
		resp.Inputs.Fields["kubeconfig"] = kubeconfig
	}
	return proto.Marshal(&resp)
}

// record appends the SHA-256 of the kubeconfig text (a secret arrives wrapped: its "value" field) to a file.
func record(kubeconfig *structpb.Value) {
	path := os.Getenv("IRSA_K8S_RECEIVED")
	if path == "" || kubeconfig == nil {
		return
	}
	text := kubeconfig.GetStringValue()
	if wrapped := kubeconfig.GetStructValue(); wrapped != nil {
		text = wrapped.Fields["value"].GetStringValue()
	}
	sum := sha256.Sum256([]byte(text))
	file, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return
	}
	defer file.Close()
	_, _ = fmt.Fprintln(file, hex.EncodeToString(sum[:]))
}
