namespace ClawEdge.Tests.Interop;

/// <summary>Hostile frames on a live link to the real gateway: each is dropped or answered, and the link stays up.</summary>
[ClassDataSource<SharedGateway>(Shared = SharedType.PerTestSession)]
public class RobustnessTests(SharedGateway shared)
{
    [Test]
    public async Task Malformed_oversized_binary_unknown_frames_and_unknown_commands_leave_the_node_connected()
    {
        await using var proxy = new WsInjectingProxy(shared.Gateway.Port);
        await using var node = EdgeNode.Start(shared.Gateway, extraArgs: ["--port", proxy.Port.ToString()]);
        string id = await node.ConnectAndApproveAsync(shared.Gateway);
        // The approval itself costs one reconnect (capabilities are granted at connect); count from here.
        int links = proxy.Connections;

        await proxy.InjectAsync("{this is not json");
        await node.Process.WaitForLineAsync("dropped a malformed", TimeSpan.FromSeconds(10));

        await proxy.InjectAsync(new byte[30 * 1024 * 1024]); // over hello-ok's 25 MiB maxPayload
        await node.Process.WaitForLineAsync("dropped a 31457280-byte frame", TimeSpan.FromSeconds(20));

        await proxy.InjectAsync(new byte[] { 1, 2, 3 }, binary: true);
        await node.Process.WaitForLineAsync("binary frame", TimeSpan.FromSeconds(10));

        await proxy.InjectAsync("""{"type":"event","event":"ce.future.event","payload":{"x":1},"extra":true}""");
        await proxy.InjectAsync("""{"type":"event","event":"node.invoke.request","payload":{"nodeId":"x","command":"system.which"}}""");
        await node.Process.WaitForLineAsync("without an id", TimeSpan.FromSeconds(10));

        // An invoke for a command the node does not have is answered (once) with a coded error.
        await proxy.InjectAsync($$$"""{"type":"event","event":"node.invoke.request","payload":{"id":"ce-inv-1","nodeId":"{{{id}}}","command":"gpio.explode","paramsJSON":null,"timeoutMs":5000}}""");
        await node.Process.WaitForLineAsync("invoke gpio.explode (ce-inv-1) → INVALID_REQUEST", TimeSpan.FromSeconds(10));
        await Task.Delay(500);
        var results = proxy.FramesFromNode.Where(f => f.Contains("\"node.invoke.result\"") && f.Contains("ce-inv-1")).ToList();
        await Assert.That(results.Count).IsEqualTo(1);
        await Assert.That(results[0]).Contains("\"code\":\"INVALID_REQUEST\"");
        await Assert.That(results[0]).Contains("unknown command: gpio.explode");

        // Bad params for a real command: a coded error, not a crash.
        await proxy.InjectAsync($$$"""{"type":"event","event":"node.invoke.request","payload":{"id":"ce-inv-2","nodeId":"{{{id}}}","command":"system.which","paramsJSON":"{\"bins\":42}","timeoutMs":5000}}""");
        await node.Process.WaitForLineAsync("(ce-inv-2) → INVALID_REQUEST", TimeSpan.FromSeconds(10));

        // Still the same link, still serving the real gateway.
        await Assert.That(node.Process.Output).DoesNotContain("gateway link lost");
        await Assert.That(proxy.Connections).IsEqualTo(links);
        var which = await EdgeNode.InvokeAsync(shared.Gateway, id, "system.which", """{"bins":["sh"]}""");
        await Assert.That((string?)which["payload"]!["bins"]!["sh"]).IsNotNull();
        var status = await shared.Gateway.NodeStatusAsync(id);
        await Assert.That((bool?)status!["connected"]).IsTrue();
    }

    [Test]
    public async Task A_silent_link_is_detected_from_the_hello_ok_tick_interval_and_reconnected()
    {
        await using var proxy = new WsInjectingProxy(shared.Gateway.Port)
        {
            // The gateway ticks every 30 s; tell the node 1.5 s so that ordinary quiet looks dead after 3 s.
            RewriteToNode = text => text.Replace("\"tickIntervalMs\":30000", "\"tickIntervalMs\":1500", StringComparison.Ordinal),
        };
        await using var node = EdgeNode.Start(shared.Gateway, extraArgs: ["--port", proxy.Port.ToString()]);
        await node.WaitConnectedAsync();
        int after = node.Process.LineCount;
        var line = await node.Process.WaitForLineAsync("tick timeout", TimeSpan.FromSeconds(20), after);
        await Assert.That(line).Contains("3000 ms");
        await node.WaitConnectedAsync(TimeSpan.FromSeconds(20), node.Process.LineCount - 1);
        await Assert.That(proxy.Connections).IsGreaterThanOrEqualTo(2);
    }

    [Test]
    public async Task Retryable_startup_refusal_is_retried_after_the_gateway_hint()
    {
        await using var proxy = new WsInjectingProxy(shared.Gateway.Port) { RefuseConnects = 2 };
        await using var node = EdgeNode.Start(shared.Gateway, extraArgs: ["--port", proxy.Port.ToString()]);
        var connected = await node.WaitConnectedAsync();
        // "gateway starting" (details.reason startup-sidecars) is retried at the gateway's pace, not as a failure.
        await Assert.That(node.Process.Output).Contains("is starting; retrying every 500 ms as it asks");
        await Assert.That(proxy.Connections).IsEqualTo(3);
        await Assert.That(connected).Contains("connected to");
    }
}
