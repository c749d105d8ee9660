using System.Net;
using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SweepCluster.Cluster;
using SweepCluster.Cluster.Registry;
using SweepCluster.Core.Json;
using SweepCluster.Training.Data;
using SweepCluster.Training.Models;

namespace SweepCluster.Node.Serving;

/// <summary>
/// <c>POST /api/models/{NAME|NAME:VERSION|NAME@STAGE}/predict</c> on every worker node, behind the endpoint's token: shower images in
/// (JSON <c>{"images": [[[row], ...], ...]}</c>, or an HDF5 file in the SWGO layout as <c>application/x-hdf5</c>), each image's
/// class probabilities out. Requests are batched (<see cref="PredictionBatcher"/>). A coordinator-only node serves none: it never loads libtorch.
/// </summary>
internal static class ModelServingEndpoint
{
    public const long MaxRequestBytes = 64L << 20;
    public const int MaxImages = 65_536;

    public sealed record Prediction(string Model, int Version, string Stage, IReadOnlyList<string> Classes, float[][] Probabilities);

    public static void Map(WebApplication app)
    {
        app.MapPost("/api/models/{reference}/predict", async (string reference, HttpContext context) =>
        {
            var services = context.RequestServices;
            var system = services.GetRequiredService<ActorSystem>();
            if (!Akka.Cluster.Cluster.Get(system).SelfRoles.Contains(ClusterNames.WorkerRole))
                return Refuse(HttpStatusCode.ServiceUnavailable, "this node serves no models: it has no worker role (coordinator-only nodes never load libtorch); ask a worker node");
            context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = MaxRequestBytes;
            var served = services.GetRequiredService<ServedModels>();
            ModelAnswer answer;
            try
            {
                answer = await served.Resolve(reference,
                    () => services.GetRequiredService<ActorRegistry>().Get<ModelRegistry>().Ask<ModelAnswer>(new GetModelVersion(reference), TimeSpan.FromSeconds(10)));
            }
            catch (AskTimeoutException)
            {
                return Refuse(HttpStatusCode.ServiceUnavailable, "the model registry did not answer within 10 s: is a node with the coordinator role up? (cluster show)");
            }
            if (answer.Version is not { } version) return Refuse(HttpStatusCode.NotFound, answer.Problem!);
            Training.Inference.TrainedModel model;
            try
            {
                model = await served.Get(version);
            }
            catch (Exception e) when (e is IOException or ModelFileException or AskTimeoutException)
            {
                return Refuse(HttpStatusCode.ServiceUnavailable, $"{version.Name}:{version.Version} cannot be loaded here: {e.Message}");
            }
            var image = model.Description.Image;
            float[] pixels;
            int count;
            try
            {
                (pixels, count) = context.Request.ContentType?.StartsWith("application/x-hdf5", StringComparison.Ordinal) == true
                    ? await ReadHdf5(context, image)
                    : await ReadJson(context, image);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return Refuse(HttpStatusCode.RequestEntityTooLarge, $"a prediction request is at most {MaxRequestBytes >> 20} MiB: send the showers in several");
            }
            catch (Exception e) when (e is InvalidDataException or JsonException or BadHttpRequestException)
            {
                return Refuse(HttpStatusCode.BadRequest, e.Message);
            }
            var probabilities = await served.Batcher.Predict(model, pixels, count);
            var classes = model.Description.Classes.Count;
            return Results.Json(new Prediction(version.Name, version.Version, version.Stage.ToString().ToLowerInvariant(), model.Description.Classes,
                [.. Enumerable.Range(0, count).Select(i => probabilities[(i * classes)..((i + 1) * classes)])]), SweepJson.Compact);
        });
    }

    private static IResult Refuse(HttpStatusCode status, string error) => Results.Json(new { error }, SweepJson.Options, statusCode: (int)status);

    /// <summary><c>{"images": [image, ...]}</c>, each image a list of rows of the model's size, every value a finite number.</summary>
    private static async Task<(float[], int)> ReadJson(HttpContext context, ImageShape image)
    {
        using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("images", out var images) || images.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException("the body needs {\"images\": [image, ...]}, each image a list of rows of pixels");
        var count = images.GetArrayLength();
        if (count is 0 or > MaxImages) throw new InvalidDataException($"send 1 to {MaxImages} images (got {count})");
        var pixels = new float[(long)count * image.Height * image.Width];
        var at = 0;
        var n = 0;
        foreach (var picture in images.EnumerateArray())
        {
            if (picture.ValueKind != JsonValueKind.Array || picture.GetArrayLength() != image.Height)
                throw new InvalidDataException($"images[{n}]: the model reads {image.Height}x{image.Width} images: {image.Height} rows of {image.Width} numbers");
            var r = 0;
            foreach (var row in picture.EnumerateArray())
            {
                if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != image.Width)
                    throw new InvalidDataException($"images[{n}][{r}]: a row of {image.Width} numbers");
                foreach (var value in row.EnumerateArray())
                {
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetSingle(out var pixel) || !float.IsFinite(pixel))
                        throw new InvalidDataException($"images[{n}][{r}]: {value.GetRawText()} is not a finite number");
                    pixels[at++] = pixel;
                }
                r++;
            }
            n++;
        }
        return (pixels, count);
    }

    /// <summary>An HDF5 file in the SWGO layout, read from a temporary copy (the reader needs a file).</summary>
    private static async Task<(float[], int)> ReadHdf5(HttpContext context, ImageShape image)
    {
        var file = Path.Combine(Path.GetTempPath(), $"sweep-predict-{Guid.NewGuid():N}.h5");
        try
        {
            await using (var copy = File.Create(file)) await context.Request.Body.CopyToAsync(copy, context.RequestAborted);
            ShowerSet set;
            try
            {
                set = ShowerSet.Load(file);
            }
            catch (DataFileException e)
            {
                throw new InvalidDataException($"the request body: {e.Message[(e.Path.Length + 2)..]}");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new InvalidDataException($"the body is not an HDF5 shower file in the SWGO layout ({e.Message.Split('\n')[0]}); send JSON with Content-Type: application/json instead");
            }
            if (set.Height != image.Height || set.Width != image.Width)
                throw new InvalidDataException($"the file's images are {set.Height}x{set.Width}; the model reads {image.Height}x{image.Width}");
            return (set.Pixels, set.Count);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
