#include "app/cli/cli_help.h"

namespace tessera::app {

std::string helpText() {
  return R"(Usage: tessera [OPTIONS] [PATH|URL|demo ...]
       tessera COMMAND [ARGS]

Opens microscopy images (OME-Zarr, OME-TIFF, ...) and linked omics tables in the viewer.
With no argument it opens the built-in demo tissue section.

Options:
  -h, --help          show this help and exit
  -V, --version       show the version and the library versions and exit
  --cache-mb N        tile cache budget in MiB (default 1024, or the saved setting)

Commands:
  info INPUT [--json] [--series N] [--well A/1 --field F] [--axes AXES]
        Describe a dataset: format, axes, pyramid levels, channels. INPUT is a path, a URL
        or the word demo. --json prints one JSON object. Containers with several images list
        them ("series": index, name, t,c,z,y,x shape; "plate": every well and its fields).
        --series N picks an OME-TIFF Image, a bioformats2raw series or a SpatialData image;
        --well and --field pick a plate's well and field (--field alone: a field of a well).
        --axes tczyx names the dimensions of a bare zarr array or N5 dataset (one letter
        per dimension, stored order); without it 2D is yx, 3D ending in 3 or 4 is yxc (RGB)
        and other 3D cyx, and 4D/5D arrays need it. render and export take the same options.
  render INPUT --out FILE.png [--series N] [--well A/1 --field F] [--size WxH] [--region x,y,w,h] [--level N] [--t T] [--z Z]
         [--channels 0,2] [--window 0=100:4000] [--color 0=FF00FF] [--lut 1=viridis]
         [--gamma 0=0.8]
        Draw the composite headless with the viewer's own renderer. The region is in
        full-resolution pixels; without --size a region renders 1:1 and a whole image at
        1024 px on its longer side. --level pins the pyramid level. Display options take
        CHANNEL=VALUE lists (comma-separated); --channels lists the channels to show.
        LUTs: grays, fire, viridis, magma, inferno, cividis, glasbey. Uses Xvfb when there
        is no display.
        Figures: [--title TEXT] [--scale-bar-backing] [--dpi N] [--annotations FILE.geojson]
        (drawn over the image); --size up to 16000x16000;
        FILE.tif/.tiff writes TIFF. These draw tile by tile with bounded memory (as File >
        Export View does), the same pixels as a one-piece render.
        Cells: [--cells FILE] [--color-by GENE|COLUMN] [--lut NAME] [--range A:B]
        [--cell-style points|outlines|filled] draw a cell table (.h5ad, 10x .h5, Visium
        folder; the INPUT's linked table by default) over the image with its legend.
        --table NAME draws that table of a SpatialData INPUT (a name under tables/, as
        `info --json` lists them) instead of its first.
        --save-session FILE.tessera writes the session the render drew (datasets, view,
        layers); `tessera render FILE.tessera --out FILE.png [--size WxH]` draws it again,
        pixel for pixel the same (with the session's annotations), and `tessera FILE.tessera`
        opens it in the viewer.
        --waypoint N (with a session file) draws the session's waypoint N (1 is the first):
        its view and layers; the width is kept and the height follows the output's aspect;
        a layer the session lacks is left out with a note; a reveal stays hidden unless
        --revealed.
  story SESSION.tessera|demo --out HANDOUT.pdf [--size WxH]
        Write a handout: one A4 page per waypoint with its title, the rendered view
        (legend and scale bar; WxH, default 1600x1000; reveals shown) and its Markdown
        narration.
        `demo` is the built-in story over the demo tissue; `story demo --save-session
        FILE.tessera` writes it as a session to open, edit or present in the viewer.
  render-embedding FILE --out FILE.png [--basis X_umap] [--color-by GENE|COLUMN] [--lut NAME]
         [--range A:B] [--size WxH]
        Draw the embedding scatter of a cell table, coloured as in the viewer, with its legend.
  export INPUT --region x,y,w,h [--series N] [--well A/1 --field F] [--level N] [--t T] [--z Z] [--channels i,j,...]
         [--compression deflate|none] --out FILE.ome.tif
        Write the raw values of a region to an OME-TIFF that Fiji and tifffile open: the
        dtype is kept, one plane per channel in the order given (default: all), with the
        channel names and the level's physical pixel size. The region is in pixels of the
        chosen level (default 0, full resolution). Tiled 512x512, deflate by default; BigTIFF
        when the data nears 4 GiB. Memory stays bounded however large the region.
  fetch URL --out DIR [--sha256 HEX] [--parallel N] [--ca-file PEM] [--insecure] [--profile NAME]
        Download a file (h5ad, OME-TIFF, ...) or a whole OME-Zarr tree (enumerated from its
        metadata; no listing needed) into DIR for offline use, N requests at a time (default
        8), with a progress bar (bytes, rate, ETA). Files land under their final name only
        when complete and verified (size; sha256 when given); an interrupted run, even a
        killed one, resumes from its partial files with Range requests when the server's ETag
        is unchanged. Chunks the server does not have are zarr fill values. Proxies come from
        http_proxy/https_proxy/no_proxy; --ca-file trusts an extra CA, --insecure skips TLS
        verification (with a warning). Exit 0 only when everything arrived and verified.
        s3://bucket/key URLs work here and wherever an INPUT is a URL: requests are SigV4-
        signed with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, else the
        AWS_PROFILE (or default) profile of ~/.aws/credentials and ~/.aws/config; endpoint
        from AWS_ENDPOINT_URL(_S3) or the profile's endpoint_url, else AWS (AWS_REGION).
        Without credentials requests go unsigned (public buckets). A finished fetch is on
        disk (one syncfs at the end); after a power cut mid-run, the next run fetches the
        tree's small files again (a ".NAME.unsynced" marker says so) and resumes large ones.
  presign s3://bucket/key [--expires SECONDS] [--profile NAME]
        Print a presigned GET URL of the object, valid SECONDS (default 3600, at most 7 days).
  markers INPUT --groupby COLUMN --group VALUE [--top N] [--json] [--memory-mb N]
  markers INPUT --group @cells.json [--top N] [--json] [--memory-mb N]
        Marker genes of one group of an obs column (or of the cells listed in a JSON file, by
        obs name or 0-based index) against all other cells: two-sided Wilcoxon rank-sum with
        the normal approximation and tie correction (as scipy's mannwhitneyu, asymptotic,
        no continuity correction), score = z, log2 fold change of the means as stored,
        Benjamini-Hochberg adjusted p. INPUT is an .h5ad file or a dataset with a table
        (demo). Prints the top N (default 25) as a table, or with --json a list of
        {gene, score, logfoldchange, pval, pval_adj, mean_in, mean_out, frac_in, frac_out}.
        Same engine as the window: X is read by ranges into a gene index cached under
        $XDG_CACHE_HOME/tessera/expression (built once per file version), and genes are
        tested in chunks of at most --memory-mb MB (default 256).
  export-cells INPUT [--genes A,B] [--obs COL,...] [--cells @ids.txt] --out cells.csv
        Write one CSV row per cell (or per id listed in ids.txt, one cell id per line): id,
        x and y in pixels of the image the window draws the cells on (an .h5ad alone: its
        obsm['spatial'] as stored; left out, with a message, when the table has no
        coordinates), the requested obs columns, then the genes' values. INPUT is any table the
        window opens (.h5ad, 10x .h5, AnnData zarr, SpatialData, Space Ranger, Xenium) or a
        dataset with one. Fields are quoted as RFC 4180 says, so R, Excel and pandas read
        them as written.
  predict INPUT --model MODEL.onnx|rdf.yaml|PACKAGE.zip [--channels i,j] [--region x,y,w,h]
          [--level N] [--t T] [--z Z] [--halo PX] [--tile PX] --out OUT.ome.tif|OUT.ome.zarr
          [--cells CELLS.h5ad [--instances FG[,BOUNDARY]] [--labels LABELS.ome.zarr]]
  predict --model rdf.yaml|PACKAGE.zip --check
        Run an ONNX model (OpenCV DNN) over a region tile by tile: each tile is predicted with
        a halo as wide as the network's receptive field (or --halo), so the result equals one
        run over the whole region; at the image edge the network pads as it would for the whole
        image. The output keeps the region's geometry and pixel size, one float32 channel per
        model output channel (an OME-Zarr over 4096 px on a side also gets 2x2-mean levels
        down to 512 px). A bare .onnx gets raw values, channels in the order given; a
        BioImage Model Zoo package (folder, zip or rdf.yaml, format 0.4 or 0.5) gets its pre-
        and postprocessing. --check runs the package's own test tensors and prints the max error.
        Only ONNX weights and YAML are read from a package; nothing is downloaded or run.
        --cells labels the prediction by watershed (output channel FG as foreground
        probability, default 0, and BOUNDARY as boundary probability) and writes the cells
        (centroid, area, mean of every image channel) as an .h5ad table for the cell views;
        --labels also writes the label image (int32 OME-Zarr, the prediction's geometry).
  check-cells FILE
        Load a cell table (.h5ad, 10x .h5, Space Ranger or Xenium folder) exactly as the
        window does and print its size. The window runs this as a helper process before it
        opens an HDF5-backed table, so that a damaged file cannot crash the window.
  measure INPUT --annotations FILE.geojson [--level N] [--t T] [--z Z] [--json]
          [--cells FILE] [--genes A,B]
        Measure each annotation of a GeoJSON file (QuPath's export shape; coordinates in
        full-resolution pixels), in file order: area in px and µm² (when the pixel size is
        known), perimeter (length for lines), and per channel the mean, median, min, max and
        std of the raw values at level N (default 0). A pixel belongs to an area when its
        centre is inside (even-odd rule; crossing outlines and parts outside the image are
        noted on stderr). With a cell table (--cells, or the INPUT's own) the cells inside are
        counted and --genes are averaged over them. --json prints a list of {name,
        classification, area_px, area_um2, perimeter_px, cells, channels: [{name, mean,
        median, min, max, std}]}; unknown values are null. Memory stays bounded: tiles stream.

Exit codes: 0 success, 2 bad input (unknown path, unreadable or unsupported file, bad
arguments), 1 internal failure.
)";
}

}  // namespace tessera::app
