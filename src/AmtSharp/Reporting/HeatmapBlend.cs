namespace AmtSharp.Reporting;

/// <summary>Colours a map and blends it onto a dimmed image.</summary>
public static class HeatmapBlend
{
    /// <summary>
    /// out = lerp(image·dim, colormap(map), alpha) per pixel; <paramref name="map"/> has the image's resolution
    /// and values in [0, 1].
    /// </summary>
    public static Raster Overlay(Raster image, float[] map, Colormap colormap, float alpha, float dim)
    {
        if (map.Length != image.Width * image.Height)
        {
            throw new ArgumentException("map and image sizes differ", nameof(map));
        }
        var result = new Raster(image.Width, image.Height);
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                result[x, y] = Rgb.Lerp(image[x, y].Scale(dim), colormap.Map(map[y * image.Width + x]), alpha);
            }
        }
        return result;
    }
}
