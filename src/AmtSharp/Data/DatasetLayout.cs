using AmtSharp.Data.Sources;

namespace AmtSharp.Data;

/// <summary>Recognises a dataset folder's layout from the files the official archives unpack to.</summary>
public static class DatasetLayout
{
    /// <summary>
    /// The format of <paramref name="root"/>: CIFAR-10/100 and STL-10 binaries (the folder itself or its parent),
    /// the Tiny ImageNet archive (wnids.txt beside train/), an ImageFolder (class folders, or train/ with class
    /// folders), or a folder of unlabelled images. Throws a <see cref="DataException"/> naming the folder otherwise.
    /// </summary>
    public static DatasetFormat Detect(string root)
    {
        ImageFiles.RequireFolder(root, "data folder");
        if (HasMarker(root, "cifar-10-batches-bin", "batches.meta.txt", "data_batch_1.bin", "test_batch.bin"))
        {
            return DatasetFormat.Cifar10;
        }
        if (HasMarker(root, "cifar-100-binary", "fine_label_names.txt", "train.bin", "test.bin"))
        {
            return DatasetFormat.Cifar100;
        }
        if (HasMarker(root, "stl10_binary", "train_X.bin", "test_X.bin", "unlabeled_X.bin"))
        {
            return DatasetFormat.Stl10;
        }
        if (File.Exists(Path.Combine(root, "wnids.txt")) && Directory.Exists(Path.Combine(root, "train")))
        {
            return DatasetFormat.TinyImageNet;
        }
        string train = Path.Combine(root, "train");
        string[] classes = ImageFolderSource.ClassFolders(Directory.Exists(train) ? train : root);
        bool imagesHere = Directory.EnumerateFiles(root).Any(ImageFiles.IsImagePath);
        if (classes.Length > 0 && !imagesHere)
        {
            return DatasetFormat.Folder;
        }
        if (imagesHere || Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Any(ImageFiles.IsImagePath))
        {
            return DatasetFormat.Unlabelled;
        }
        throw new DataException(root, "no dataset recognised: no image files, class folders, CIFAR/STL-10 binaries or Tiny ImageNet wnids.txt");
    }

    // The binary formats unpack into a named folder; either it or its parent may be given.
    private static bool HasMarker(string root, string folder, params string[] files) =>
        files.Any(f => File.Exists(Path.Combine(root, f)) || File.Exists(Path.Combine(root, folder, f)));
}
