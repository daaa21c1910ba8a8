using System.Text;

namespace Linger.Wire.Filtering;

/// <summary>
/// A node of a parsed filter. Nodes are immutable; <see cref="Matches"/> walks the tree without allocating, and
/// the BPF compiler walks the same tree, so both back ends share one meaning.
/// </summary>
internal abstract class FilterNode
{
    /// <summary>Whether a decoded TCP segment satisfies this node.</summary>
    public abstract bool Matches(in TcpPacket packet);

    /// <summary>Writes the canonical text: binary operators fully parenthesised, qualifiers spelled out.</summary>
    public abstract void Write(StringBuilder text);

    /// <inheritdoc/>
    public override string ToString()
    {
        var text = new StringBuilder();
        Write(text);
        return text.ToString();
    }
}
